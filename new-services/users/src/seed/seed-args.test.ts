import { describe, expect, it } from 'vitest';
import { parseSeedArgs, SEED_DEFAULTS } from './seed-args.js';

describe('parseSeedArgs', () => {
  it('defaults, parses --accounts and --help', () => {
    expect(parseSeedArgs([])).toEqual({ kind: 'run', options: SEED_DEFAULTS });
    expect(parseSeedArgs(['--accounts', '25'])).toEqual({ kind: 'run', options: { accounts: 25 } });
    expect(parseSeedArgs(['--accounts=1000000'])).toEqual({ kind: 'run', options: { accounts: 1_000_000 } });
    expect(parseSeedArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--accounts', '0'], '--accounts must be at least 1'],
    [['--accounts', '1000001'], '--accounts must be at most 1000000'],
    [['--accounts', 'ten'], '--accounts must be a whole number'],
    [['--accounts=-5'], '--accounts must be a whole number'],
    [['--accounts', '-5'], 'ambiguous'],
    [['--users', '5'], "Unknown option '--users'"],
    [['extra'], 'extra'],
  ])('rejects %j', (argv, message) => {
    const result = parseSeedArgs(argv);
    expect(result.kind).toBe('error');
    expect(result.kind === 'error' && result.message).toContain(message);
  });
});
