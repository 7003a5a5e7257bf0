import { describe, expect, it } from 'vitest';
import { createUsersProjector, PoisonRecordError } from '@strangler/cdc';
import { debeziumEnvelope, legacyUser } from '@strangler/cdc/testing/debezium-records';
import { RecordingUsersProjection } from '@strangler/cdc/testing/recording-projections';
import { fieldsTheHandlerIgnores, handleChangeMessage, leafPaths, withoutField } from './message-pact.js';

async function handleUsers(content: unknown) {
  const projection = new RecordingUsersProjection();
  const outcome = await handleChangeMessage(createUsersProjector(() => projection), content);
  return { outcome, upserts: projection.upserts, deletes: projection.deletes };
}

describe('leafPaths / withoutField', () => {
  it('lists every leaf, nulls and empty objects included, and removes one without touching the original', () => {
    const doc = { op: 'c', before: null, after: { id: 1, tags: [1, 2] }, source: { db: 'x' }, empty: {} };
    expect(leafPaths(doc)).toEqual([['op'], ['before'], ['after', 'id'], ['after', 'tags'], ['source', 'db'], ['empty']]);
    expect(withoutField(doc, ['after', 'id'])).toEqual({ op: 'c', before: null, after: { tags: [1, 2] }, source: { db: 'x' }, empty: {} });
    expect(doc.after.id).toBe(1);
  });
});

const needed = { op: 'u', after: legacyUser(7), source: { db: 'legacy', table: 'users', ts_ms: 1 } };

describe('fieldsTheHandlerIgnores (with the real users projector)', () => {
  it('finds nothing to drop when every field is read', async () => {
    expect(await fieldsTheHandlerIgnores(needed, handleUsers)).toEqual([]);
  });

  it('names the fields a message carries that the handler does not read', async () => {
    const extra = { ...needed, before: { id: 7, full_name: 'Old' }, source: { ...needed.source, snapshot: 'false', version: '3.2.0.Final' } };
    expect(await fieldsTheHandlerIgnores(extra, handleUsers)).toEqual(['source.snapshot', 'source.version', 'before.id', 'before.full_name']);
    // The whole Debezium envelope carries much the projector never looks at.
    const ignored = await fieldsTheHandlerIgnores(debeziumEnvelope('users', 'c', { after: legacyUser(7) }), handleUsers);
    expect(ignored).toEqual(expect.arrayContaining(['before', 'source.version', 'source.connector', 'source.file', 'ts_ms', 'transaction']));
    expect(ignored).not.toContain('after.full_name');
  });
});

describe('handleChangeMessage', () => {
  it('runs parseChangeRecord and the projector: a message without a column the projector maps is poison naming it', async () => {
    const { full_name: _dropped, ...after } = legacyUser(7);
    const error = await handleUsers({ ...needed, after }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PoisonRecordError);
    expect((error as PoisonRecordError).message).toContain('column "full_name": missing');
  });
});
