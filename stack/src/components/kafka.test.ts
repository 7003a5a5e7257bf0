import { describe, expect, it } from 'vitest';
import { kraftClusterId, log4jProperties } from './kafka.js';

describe('kraftClusterId', () => {
  it('is 16 bytes in base64url (22 characters)', () => {
    for (let i = 0; i < 200; i++) expect(kraftClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });

  it('never starts with "-", which the storage tool would parse as an option', () => {
    // 0xf8… encodes to "-…" in base64url: the first candidate must be skipped.
    const candidates = ['f8000000-0000-4000-8000-000000000000', '12345678-0000-4000-8000-000000000000'];
    const id = kraftClusterId(() => candidates.shift() ?? '');
    expect(id).toBe(Buffer.from('12345678000040008000000000000000', 'hex').toString('base64url'));
    expect(candidates).toEqual([]);
  });
});

describe('log4jProperties', () => {
  it('logs to stdout and turns the named loggers down to WARN', () => {
    const text = log4jProperties(['kafka', 'org.apache.kafka']);
    expect(text).toContain('log4j.rootLogger=INFO, stdout');
    expect(text).toContain('log4j.logger.kafka=WARN\nlog4j.logger.org.apache.kafka=WARN');
  });
});
