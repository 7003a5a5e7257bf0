import { ConfigError, defineConfig, type ConfigKey, type ConfigValues, type Env } from '../config.js';
import { loadSlices, SliceManifestError, type LoadedSlice } from './load-slices.js';

/**
 * Per-slice settings: a package's config module declares what one slice needs (say `<SLICE>_URL`) and gets one
 * key per slice in the manifests, validated with its static keys in one pass, so every problem is listed at once.
 */

/** users → USERS, gift-cards → GIFT_CARDS: the prefix of a slice's own environment variables. */
export function sliceEnvPrefix(sliceName: string): string {
  return sliceName.toUpperCase().replace(/-/g, '_');
}

/** The manifests in `dir`, or a ConfigError naming the setting that pointed there. */
export function loadSlicesSetting(dir: string, setting = 'SLICES_DIR'): LoadedSlice[] {
  try {
    return loadSlices(dir);
  } catch (error) {
    if (error instanceof SliceManifestError) throw new ConfigError(error.problems.map((problem) => `${setting}=${dir}: ${problem}`));
    throw error;
  }
}

/**
 * The manifests of the folder a package's own slices-dir key names, read from `env` through that key (its default
 * and its schema, which may resolve the path), so no package re-implements the lookup.
 */
export function loadSlicesOf(key: ConfigKey, env: Env): LoadedSlice[] {
  const { dir } = defineConfig({ dir: key }).load(env) as { dir: string };
  return loadSlicesSetting(dir, key.env);
}

export interface ConfigWithSlices<T extends Record<string, ConfigKey>, K extends string> {
  values: ConfigValues<T>;
  /** Per slice name, the values of its per-slice keys. */
  perSlice: Map<string, Record<K, unknown>>;
}

/**
 * Loads `spec` and, for each slice, the keys `perSlice(slice)`, together. The per-slice keys must not collide with
 * the static ones; the manifests' own checks keep them apart from each other.
 */
export function loadConfigWithSlices<T extends Record<string, ConfigKey>, K extends string>(
  spec: T,
  slices: readonly LoadedSlice[],
  perSlice: (slice: LoadedSlice) => Record<K, ConfigKey>,
  env: Env,
): ConfigWithSlices<T, K> {
  const keyOf = (slice: string, key: string) => `slice:${slice}:${key}`;
  const sliceKeys = Object.fromEntries(
    slices.flatMap((slice) => Object.entries<ConfigKey>(perSlice(slice)).map(([key, def]) => [keyOf(slice.name, key), def])),
  );
  const loaded = defineConfig({ ...spec, ...sliceKeys }).load(env) as Record<string, unknown>;
  const values = Object.fromEntries(Object.keys(spec).map((key) => [key, loaded[key]])) as ConfigValues<T>;
  const perSliceValues = new Map(
    slices.map((slice) => [slice.name, Object.fromEntries(Object.keys(perSlice(slice)).map((key) => [key, loaded[keyOf(slice.name, key)]])) as Record<K, unknown>]),
  );
  return { values, perSlice: perSliceValues };
}
