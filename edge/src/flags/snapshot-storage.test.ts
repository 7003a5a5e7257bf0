import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSnapshotStorage, inspectSnapshot, snapshotFileFor } from './snapshot-storage.js';

describe('snapshot storage', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'edge-snapshot-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the file as unleash-client\'s FileStorageProvider does', () => {
    expect(snapshotFileFor('/var/edge', 'strangler-edge')).toBe('/var/edge/unleash-backup-strangler-edge.json');
    expect(snapshotFileFor('/var/edge', 'team/edge')).toBe('/var/edge/unleash-backup-team_edge.json');
  });

  it('writes atomically into a directory it creates, and reads back what it wrote', async () => {
    const file = join(dir, 'nested', 'unleash-backup-x.json');
    const storage = createSnapshotStorage(file);
    const data = { version: 2, features: [{ name: 'users.reads', enabled: true, strategies: [] }], segments: [] };
    await storage.set('x', data);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(data);
    expect(await storage.get('x')).toEqual(data);
    // No temp files left behind.
    expect(readdirSync(join(dir, 'nested'))).toEqual(['unleash-backup-x.json']);
  });

  it('reads nothing from a missing or empty file, and fails loudly on a corrupt one', async () => {
    const file = join(dir, 'snap.json');
    const storage = createSnapshotStorage(file);
    expect(await storage.get('x')).toBeUndefined();
    writeFileSync(file, '  ');
    expect(await storage.get('x')).toBeUndefined();
    writeFileSync(file, '{"features": [');
    await expect(storage.get('x')).rejects.toThrow(/is not valid JSON/);
  });

  it.each([
    [undefined, 'missing'],
    ['', 'empty'],
    ['{"version":2,"features":[]}', 'empty'],
    ['{"version":2,"features":[{"name":"a","enabled":true,"strategies":[]}]}', 'usable'],
    ['{"version":2}', 'unreadable'],
    ['not json', 'unreadable'],
  ])('inspects %j as %s', (content, expected) => {
    const file = join(dir, 'snap.json');
    if (content !== undefined) writeFileSync(file, content);
    expect(inspectSnapshot(file)).toBe(expected);
  });
});
