import { readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import type { ClientFeaturesResponse } from 'unleash-client';

/** unleash-client's StorageProvider (not exported from its index): it keys by appName, we keep one file. */
export interface SnapshotStorage {
  set(key: string, data: ClientFeaturesResponse): Promise<void>;
  get(key: string): Promise<ClientFeaturesResponse | undefined>;
}

/**
 * The snapshot file of an app, named as unleash-client's own FileStorageProvider names its backup
 * (`unleash-backup-<appName>.json`, slashes replaced), so either can read the other's file.
 */
export function snapshotFileFor(dir: string, appName: string): string {
  return join(dir, `unleash-backup-${appName.replace(/\//g, '_')}.json`);
}

/**
 * File-backed storage in unleash-client's backup format (`{version, features, segments}`). Unlike the client's
 * FileStorageProvider it writes atomically (temp file + rename), so a crash or a second replica reading at the same
 * moment never sees half a file, and it creates the directory.
 */
export function createSnapshotStorage(file: string): SnapshotStorage {
  return {
    async set(_key, data) {
      await mkdir(dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await writeFile(temp, JSON.stringify(data));
        await rename(temp, file);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },
    async get() {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
      if (text.trim() === '') return undefined;
      try {
        return JSON.parse(text) as ClientFeaturesResponse;
      } catch (error) {
        throw new Error(`flag snapshot ${file} is not valid JSON: ${(error as Error).message}`);
      }
    },
  };
}

export type SnapshotState = 'usable' | 'missing' | 'empty' | 'unreadable';

/**
 * Whether unleash-client will bootstrap from this snapshot: it only does so for a parseable file with at least one
 * feature (its Repository.loadBackup ignores an empty one). Checked up front so readiness never waits for a load
 * that will not happen.
 */
export function inspectSnapshot(file: string): SnapshotState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
  if (text.trim() === '') return 'empty';
  try {
    const parsed = JSON.parse(text) as { features?: unknown };
    if (!Array.isArray(parsed.features)) return 'unreadable';
    return parsed.features.length > 0 ? 'usable' : 'empty';
  } catch {
    return 'unreadable';
  }
}
