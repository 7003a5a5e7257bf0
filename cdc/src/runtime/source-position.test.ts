import { describe, expect, it } from 'vitest';
import { compareSourcePositions, decodeSourcePosition, encodeSourcePosition, isReplay, laterOf, type SourcePosition } from './source-position.js';

const at = (file: string, pos: number, row = 0, tsMs = 1_000): SourcePosition => ({ file, pos, row, tsMs });

describe('binlog source positions', () => {
  it.each([
    [at('mariadb-bin.000001', 100), at('mariadb-bin.000001', 200), -1],
    [at('mariadb-bin.000001', 200, 1), at('mariadb-bin.000001', 200, 0), 1],
    [at('mariadb-bin.000001', 200, 3), at('mariadb-bin.000001', 200, 3), 0],
    [at('mariadb-bin.000002', 4), at('mariadb-bin.000001', 99_999), 1],
    // The sequence outgrows its zero padding: by number, not by text.
    [at('mariadb-bin.999999', 4), at('mariadb-bin.1000000', 4), -1],
  ])('orders %j against %j: %i', (a, b, sign) => {
    expect(Math.sign(compareSourcePositions(a, b))).toBe(sign);
  });

  it('round-trips through its stored form, and reads nothing from a value it does not know', () => {
    const position = at('mariadb-bin.000007', 45_884, 2, 1_796_350_399_000);
    expect(decodeSourcePosition(encodeSourcePosition(position))).toEqual(position);
    for (const stored of [null, undefined, '', 'x|1|2', 'f|a|0|0', '|1|0|0']) expect(decodeSourcePosition(stored)).toBeUndefined();
  });

  it('a replay is at or before the last applied position and not newer; nothing applied yet is never a replay', () => {
    const last = at('mariadb-bin.000001', 500, 0, 2_000);
    expect(isReplay(at('mariadb-bin.000001', 500, 0, 2_000), last)).toBe(true);
    expect(isReplay(at('mariadb-bin.000001', 400, 0, 1_500), last)).toBe(true);
    expect(isReplay(at('mariadb-bin.000001', 500, 1, 2_000), last)).toBe(false);
    expect(isReplay(at('mariadb-bin.000002', 4, 0, 2_000), last)).toBe(false);
    // A re-created database: its binlog starts over, its changes are new.
    expect(isReplay(at('mariadb-bin.000001', 4, 0, 9_000), last)).toBe(false);
    expect(isReplay(at('mariadb-bin.000001', 4), undefined)).toBe(false);
  });

  it('keeps the later of two positions', () => {
    const early = at('mariadb-bin.000001', 10);
    const late = at('mariadb-bin.000001', 20);
    expect(laterOf(undefined, early)).toBe(early);
    expect(laterOf(early, late)).toBe(late);
    expect(laterOf(late, early)).toBe(late);
  });
});
