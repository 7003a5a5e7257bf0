import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTask } from '../processes.js';
import { requireExecutable } from '../prerequisites.js';

export const MAVEN_INSTALL_HINT = 'apt-get update && apt-get install -y maven openjdk-17-jre-headless   # Maven fetches Kafka and Debezium from Maven Central';

/** Where the JVM parts live once fetched: the broker/worker classpath and Connect's plugin.path. */
export interface CdcJars {
  /** Kafka broker + Connect worker + logging binding (a classpath folder: `<dir>/*`). */
  runtimeDir: string;
  /** Connect's `plugin.path`: one sub-folder per plugin, so each gets its own class loader. */
  pluginPath: string;
}

export function cdcJarPaths(jarsDir: string): CdcJars & { connectorDir: string; stampFile: string } {
  const pluginPath = join(jarsDir, 'plugins');
  return {
    runtimeDir: join(jarsDir, 'runtime'),
    pluginPath,
    connectorDir: join(pluginPath, 'debezium-connector-mariadb'),
    stampFile: join(jarsDir, 'pom.sha256'),
  };
}

/**
 * Fills the two jar folders from cdc/maven/pom.xml with `mvn dependency:copy-dependencies`, unless they already hold
 * what this pom lists (a stamp of the pom's hash is written last, so an interrupted fetch is redone, never half-used).
 * Maven's own cache (~/.m2) makes a repeat fetch a copy. Reports progress as Maven downloads artifacts.
 */
export async function ensureCdcJars(options: {
  pom: string;
  jarsDir: string;
  logFile: string;
  progress?: (message: string) => void;
  signal?: AbortSignal;
}): Promise<{ jars: CdcJars; fetched: boolean }> {
  const paths = cdcJarPaths(options.jarsDir);
  const pomHash = createHash('sha256').update(readFileSync(options.pom)).digest('hex');
  const jars = { runtimeDir: paths.runtimeDir, pluginPath: paths.pluginPath };
  if (existsSync(paths.stampFile) && readFileSync(paths.stampFile, 'utf8').trim() === pomHash) return { jars, fetched: false };

  const mvn = requireExecutable(['mvn'], MAVEN_INSTALL_HINT);
  requireExecutable(['java'], MAVEN_INSTALL_HINT);
  // A different pom (or an interrupted fetch) may have left jars of other versions: start from empty folders.
  rmSync(paths.runtimeDir, { recursive: true, force: true });
  rmSync(paths.pluginPath, { recursive: true, force: true });
  mkdirSync(paths.connectorDir, { recursive: true });
  let downloads = 0;
  await runTask({
    name: 'maven',
    command: mvn,
    args: [
      '-B',
      '-f',
      options.pom,
      'dependency:copy-dependencies@runtime',
      'dependency:copy-dependencies@connector',
      `-Dcdc.runtimeDir=${paths.runtimeDir}`,
      `-Dcdc.connectorDir=${paths.connectorDir}`,
    ],
    logFile: options.logFile,
    signal: options.signal,
    onLine(line) {
      // Batch mode logs one "Downloaded from" line per artifact fetched from Maven Central (no progress bars).
      if (/^\[INFO\] Downloaded from /.test(line)) options.progress?.(`Maven Central: ${++downloads} artifacts downloaded`);
      else if (/Copying .*\.jar/.test(line)) options.progress?.('copying jars');
    },
  });
  writeFileSync(paths.stampFile, `${pomHash}\n`);
  return { jars, fetched: true };
}
