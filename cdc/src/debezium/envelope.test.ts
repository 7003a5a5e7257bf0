import { describe, expect, it } from 'vitest';
import { PoisonRecordError } from '../errors.js';
import { parseChangeRecord } from './envelope.js';

const position = { topic: 'legacy.legacy.users', partition: 0, offset: 7 };

// Verbatim records captured from the pipeline (Debezium 3.2 MariaDB connector, JSON converter, schemas disabled).
const SNAPSHOT_READ =
  '{"before":null,"after":{"id":1,"email":"a@x.io","full_name":"A","password_hash":"h1","status":"active","created_at":1795572909304,"updated_at":1795572909304},"source":{"version":"3.2.0.Final","connector":"mariadb","name":"legacy","ts_ms":1795572916000,"snapshot":"first","db":"legacy","sequence":null,"ts_us":1795572916000000,"ts_ns":1795572916000000000,"table":"users","server_id":0,"gtid":null,"file":"mariadb-bin.000001","pos":2470,"row":0,"thread":null,"query":null},"transaction":null,"op":"r","ts_ms":1795572916755,"ts_us":1795572916755909,"ts_ns":1795572916755909435}';
const UPDATE =
  '{"before":{"id":1,"email":"a@x.io","full_name":"A","password_hash":"h1","status":"active","created_at":1795572909304,"updated_at":1795572909304},"after":{"id":1,"email":"a@x.io","full_name":"AA","password_hash":"h1","status":"active","created_at":1795572909304,"updated_at":1795572925534},"source":{"version":"3.2.0.Final","connector":"mariadb","name":"legacy","ts_ms":1795572925000,"snapshot":"false","db":"legacy","sequence":null,"ts_us":1795572925000000,"ts_ns":1795572925000000000,"table":"users","server_id":1,"gtid":"0-1-8","file":"mariadb-bin.000001","pos":2765,"row":0,"thread":null,"query":null},"transaction":null,"op":"u","ts_ms":1795572925544}';
const DELETE =
  '{"before":{"id":2,"email":"b@x.io","full_name":"B","password_hash":"h2","status":"active","created_at":1795572909304,"updated_at":1795572909304},"after":null,"source":{"version":"3.2.0.Final","connector":"mariadb","name":"legacy","ts_ms":1795572930000,"snapshot":"false","db":"legacy","table":"users","server_id":1,"gtid":"0-1-9","file":"mariadb-bin.000001","pos":3100,"row":0},"transaction":null,"op":"d","ts_ms":1795572930100}';

function poison(value: string): PoisonRecordError {
  try {
    parseChangeRecord(Buffer.from(value), position);
  } catch (error) {
    expect(error).toBeInstanceOf(PoisonRecordError);
    return error as PoisonRecordError;
  }
  throw new Error('expected a PoisonRecordError');
}

describe('parseChangeRecord', () => {
  it('a snapshot read: op r, after image, source time, snapshot flag and position', () => {
    expect(parseChangeRecord(Buffer.from(SNAPSHOT_READ), position)).toEqual({
      kind: 'change',
      change: {
        op: 'r',
        before: null,
        after: { id: 1, email: 'a@x.io', full_name: 'A', password_hash: 'h1', status: 'active', created_at: 1795572909304, updated_at: 1795572909304 },
        database: 'legacy',
        table: 'users',
        sourceTsMs: 1795572916000,
        snapshot: true,
        position,
      },
    });
  });

  it('a streamed update carries both images and is not a snapshot', () => {
    const parsed = parseChangeRecord(Buffer.from(UPDATE), position);
    expect(parsed).toMatchObject({ kind: 'change', change: { op: 'u', snapshot: false, before: { full_name: 'A' }, after: { full_name: 'AA' } } });
  });

  it('a delete carries the before image only', () => {
    expect(parseChangeRecord(Buffer.from(DELETE), position)).toMatchObject({ kind: 'change', change: { op: 'd', after: null, before: { id: 2 } } });
  });

  it.each(['last', 'true', 'last_in_data_collection', 'incremental'])('source.snapshot "%s" is a snapshot', (flag) => {
    const value = SNAPSHOT_READ.replace('"snapshot":"first"', `"snapshot":"${flag}"`);
    expect(parseChangeRecord(value, position)).toMatchObject({ change: { snapshot: true } });
  });

  it('a null or empty value is the tombstone after a delete', () => {
    expect(parseChangeRecord(null, position)).toEqual({ kind: 'tombstone' });
    expect(parseChangeRecord(Buffer.alloc(0), position)).toEqual({ kind: 'tombstone' });
  });

  it('accepts the schemas-enabled wrapping ({schema, payload}) too', () => {
    const wrapped = `{"schema":{"type":"struct"},"payload":${UPDATE}}`;
    expect(parseChangeRecord(wrapped, position)).toMatchObject({ kind: 'change', change: { op: 'u' } });
  });

  it('poison: not JSON', () => {
    expect(poison('{"before":').code).toBe('INVALID_JSON');
  });

  it('poison: JSON that is not a change envelope, naming what is wrong', () => {
    const error = poison('{"hello":"world"}');
    expect(error.code).toBe('INVALID_ENVELOPE');
    expect(error.message).toMatch(/op/);
    expect(error.message).toMatch(/source/);
    expect(poison('[1,2]').code).toBe('INVALID_ENVELOPE');
    expect(poison(UPDATE.replace('"ts_ms":1795572925000', '"ts_ms":"soon"')).message).toContain('source.ts_ms');
  });

  it('poison: an insert or update without an after image, a delete without a before image', () => {
    expect(poison(UPDATE.replace(/"after":\{[^}]*\}/, '"after":null')).message).toContain('needs an after image');
    expect(poison(DELETE.replace(/"before":\{[^}]*\}/, '"before":null')).message).toContain('needs a before image');
  });

  it('poison: a truncate cannot be projected', () => {
    const truncate = DELETE.replace('"op":"d"', '"op":"t"').replace(/"before":\{[^}]*\}/, '"before":null');
    expect(poison(truncate).code).toBe('UNSUPPORTED_OPERATION');
  });
});
