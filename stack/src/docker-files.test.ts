import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SHARED_SERVER_SETTINGS } from './components/mariadb.js';
import { appDatabases } from './components/mariadb-server.js';
import { loadStackConfig } from './config.js';
import { workspaceDirs } from './testing/workspace-graph.js';
import { sliceEnvPrefix } from '@strangler/platform/slices';

/**
 * No Docker engine runs here, so docker-compose.yml and the Dockerfile cannot be exercised for real. These checks
 * keep them describing the same topology the launcher runs, so they do not silently drift apart.
 */
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (path: string) => readFileSync(join(repo, path), 'utf8');

interface ComposeService {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
}
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
const slices = loadStackConfig({}).slices.map((slice) => slice.manifest);
const APP_DATABASES = appDatabases(loadStackConfig({}).slices);


describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  it.each(workspaceDirs(repo))('copies the %s manifest into both stages, so `npm ci` matches the lock file', (dir) => {
    const copies = dockerfile.split('\n').filter((line) => line.trim() === `COPY ${dir}/package.json ${dir}/`);
    expect(copies).toHaveLength(2);
  });
});

describe('docker-compose.yml', () => {
  it('runs MariaDB with the same server settings as the local stack', () => {
    const flags = new Map(
      (compose.services.mariadb?.command ?? []).map((flag) => {
        const [key, value = ''] = flag.replace(/^--/, '').split('=');
        return [key!.replaceAll('-', '_'), value] as const;
      }),
    );
    for (const [key, value] of Object.entries(SHARED_SERVER_SETTINGS)) {
      expect(flags.get(key), key).toBe(value.replace(/^'(.*)'$/, '$1'));
    }
    expect(flags.get('server_id')).toMatch(/^\d+$/);
  });

  it('creates the same application databases and accounts as the launcher', () => {
    const initScript = read('docker/mariadb/init-accounts.sh');
    const declared = /^APP_DATABASES="([^"]+)"/m.exec(initScript)?.[1]?.split(/\s+/);
    expect(declared).toEqual(APP_DATABASES.map((app) => app.database));
    const env = compose.services.mariadb?.environment ?? {};
    for (const { database } of APP_DATABASES) expect(env, database).toHaveProperty(`${database.toUpperCase()}_DB_PASSWORD`);
    expect(env).toHaveProperty('CDC_DB_PASSWORD');
  });

  it('builds only real workspaces, and each app connects as its own account to its own database', () => {
    const built = Object.entries(compose.services).filter(([, service]) => service.build);
    expect(built.length).toBeGreaterThanOrEqual(3);
    for (const [name, service] of built) {
      const workspace = service.build?.args?.WORKSPACE ?? '';
      expect(existsSync(join(repo, workspace, 'src', 'server.ts')), `${name}: ${workspace}`).toBe(true);
    }
    const accounts = new Map<string, string>(APP_DATABASES.map((app) => [app.user, app.database]));
    const apps = Object.entries(compose.services).filter(([, service]) => service.environment?.DB_USER);
    for (const [name, service] of apps) {
      expect(accounts.get(service.environment!.DB_USER!), name).toBe(service.environment!.DB_NAME);
    }
    expect(new Set(apps.map(([, service]) => service.environment!.DB_USER))).toEqual(new Set(accounts.keys()));
  });

  describe.each(slices.map((slice) => [slice.name, slice] as const))('runs the %s slice as its manifest declares', (_name, slice) => {
    const service = compose.services[slice.name];
    const migrate = compose.services[`${slice.name}-migrate`];
    const projector = compose.services[`${slice.projector.name}-projector`];

    it('its service: built from its workspace, on its own database and default port', () => {
      expect(migrate?.build?.args?.WORKSPACE).toBe(slice.service.workspace);
      expect(service?.environment).toMatchObject({ DB_NAME: slice.service.database, DB_USER: slice.service.database, PORT: String(slice.service.port.default) });
      expect(service?.ports).toContain(`127.0.0.1:${slice.service.port.default}:${slice.service.port.default}`);
    });

    it('its projector: the one the manifest names, writing to the service database', () => {
      expect(projector?.environment).toMatchObject({ PROJECTOR: slice.projector.name, DB_NAME: slice.service.database, PORT: String(slice.projector.port.default) });
    });

    it('the edge reaches it at its container', () => {
      expect(compose.services.edge?.environment?.[`${sliceEnvPrefix(slice.name)}_URL`]).toBe(`http://${slice.name}:${slice.service.port.default}`);
    });
  });

  it('runs no slice service or projector that no manifest declares', () => {
    const declared = new Set(slices.flatMap((slice) => [slice.name, `${slice.name}-migrate`, `${slice.projector.name}-projector`]));
    const sliceLike = Object.keys(compose.services).filter((name) => name.endsWith('-projector') || compose.services[name]?.build?.args?.WORKSPACE?.startsWith('new-services/'));
    for (const name of sliceLike) expect(declared, name).toContain(name);
  });

  it('fills in every placeholder of the launcher\'s nginx template for the container', () => {
    const placeholders = new Set(read('nginx/nginx.conf.template').match(/\{\{[A-Z_]+\}\}/g));
    expect(placeholders.size).toBeGreaterThan(0);
    const command = (compose.services.nginx?.command ?? []).join(' ');
    for (const placeholder of placeholders) expect(command, placeholder).toContain(`s#${placeholder}#`);
  });

  it('publishes ports on loopback only', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const port of service.ports ?? []) expect(port, name).toMatch(/^127\.0\.0\.1:/);
    }
  });
});
