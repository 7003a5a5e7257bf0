import { describe, expect, it } from 'vitest';
import { parseSeedArgs, SEED_DEFAULTS, SEED_USAGE } from './seed-args.js';

describe('parseSeedArgs', () => {
  it('defaults to the demo sizes, seed 42 and batches of 1000', () => {
    expect(parseSeedArgs([])).toEqual({
      kind: 'run',
      options: { users: 10_000, products: 2_000, orders: 50_000, seed: 42, batch: 1000 },
    });
    expect(SEED_DEFAULTS.seed).toBe(42);
  });

  it('reads every option, in both --name value and --name=value form', () => {
    expect(parseSeedArgs(['--users', '10000', '--products=2000', '--orders', '50000', '--seed', '0', '--batch=250'])).toEqual({
      kind: 'run',
      options: { users: 10_000, products: 2_000, orders: 50_000, seed: 0, batch: 250 },
    });
  });

  it('asks for help with --help or -h', () => {
    expect(parseSeedArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseSeedArgs(['-h', '--users', '5'])).toEqual({ kind: 'help' });
    expect(SEED_USAGE).toContain('demo-password');
    expect(SEED_USAGE).toContain('--orders');
  });

  it.each([
    [['--users', '0'], '--users must be at least 1'],
    [['--orders', '0'], '--orders must be at least 1'],
    [['--products', '1.5'], '--products must be a whole number'],
    [['--users', '10k'], '--users must be a whole number'],
    [['--users', ''], '--users must be a whole number'],
    [['--users=-5'], '--users must be a whole number'],
    [['--batch', '0'], '--batch must be at least 1'],
    [['--batch', '10001'], '--batch must be at most 10000'],
    [['--users', '1000001'], '--users must be at most 1000000'],
    [['--seed', '4294967296'], '--seed must be at most 4294967295'],
  ])('rejects %j', (argv, message) => {
    const result = parseSeedArgs(argv);
    expect(result).toEqual({ kind: 'error', message: expect.stringContaining(message) });
  });

  it('rejects unknown options, missing values and positional arguments', () => {
    for (const argv of [['--user', '5'], ['--users'], ['--users', '-1'], ['10000'], ['--help=yes']]) {
      expect(parseSeedArgs(argv).kind).toBe('error');
    }
  });

  it('reports every bad option at once', () => {
    const result = parseSeedArgs(['--users', '0', '--orders', 'many']);
    expect(result.kind).toBe('error');
    if (result.kind === 'error') {
      expect(result.message).toContain('--users');
      expect(result.message).toContain('--orders');
    }
  });
});
