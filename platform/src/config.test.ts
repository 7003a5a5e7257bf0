import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, dbConfigKeys, defineConfig, envSchemas, httpConfigKeys } from './config.js';

const config = defineConfig({
  ...httpConfigKeys({ port: 3000, service: 'demo' }),
  ...dbConfigKeys({ database: 'demo', user: 'demo' }),
  apiKey: { env: 'API_KEY', description: 'Key for the demo', schema: z.string().min(8), secret: true },
});

describe('defineConfig', () => {
  it('applies defaults and coerces values from strings', () => {
    const values = config.load({ API_KEY: 'abcdefgh', PORT: '4000', DB_POOL_MAX: '3' });
    expect(values.port).toBe(4000);
    expect(values.host).toBe('127.0.0.1');
    expect(values.dbPoolMax).toBe(3);
    expect(values.dbName).toBe('demo');
    expect(values.apiKey).toBe('abcdefgh');
  });

  it('reports every problem at once, naming the env var and its meaning', () => {
    let error: unknown;
    try {
      config.load({ PORT: 'eighty', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/PORT="eighty" is invalid \(HTTP port to listen on\)/);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL="loud" is invalid/);
    expect(problems.join('\n')).toMatch(/API_KEY is required \(Key for the demo\)/);
  });

  it('never echoes a secret value', () => {
    expect(() => config.load({ API_KEY: 'short' })).toThrow(/API_KEY=<secret> is invalid/);
    expect(() => config.load({ API_KEY: 'short' })).not.toThrow(/short/);
  });

  it('rejects out-of-range ports and malformed sizes', () => {
    expect(() => config.load({ API_KEY: 'abcdefgh', PORT: '70000' })).toThrow(ConfigError);
    expect(() => config.load({ API_KEY: 'abcdefgh', BODY_LIMIT: 'lots' })).toThrow(/BODY_LIMIT/);
  });

  it('describes every key with env var, default and description', () => {
    const rows = config.describe();
    expect(rows.find((row) => row.key === 'port')).toEqual({ key: 'port', env: 'PORT', default: '3000', description: 'HTTP port to listen on' });
    expect(rows.find((row) => row.key === 'apiKey')?.default).toBe('(required)');
    expect(rows.every((row) => row.description.length > 0)).toBe(true);
  });

  it('parses booleans strictly', () => {
    expect(envSchemas.boolean.parse('true')).toBe(true);
    expect(envSchemas.boolean.parse('0')).toBe(false);
    expect(envSchemas.boolean.safeParse('yes').success).toBe(false);
  });
});
