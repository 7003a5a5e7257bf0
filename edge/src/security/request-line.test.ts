import { describe, expect, it } from 'vitest';
import { checkHttpVersion, isRequestLineParseError } from './request-line.js';

describe('checkHttpVersion', () => {
  it.each(['1.1', '1.0'])('accepts HTTP/%s', (version) => {
    expect(checkHttpVersion(version)).toBeUndefined();
  });

  it.each([
    ['0.9', /must end in HTTP\/1.1/],
    ['', /must end in HTTP\/1.1/],
    ['2.0', /HTTP\/2.0 is not supported/],
    ['1.2', /HTTP\/1.2 is not supported/],
    ['3.0', /not supported/],
  ])('refuses %j', (version, message) => {
    expect(checkHttpVersion(version)).toEqual({ status: 400, code: 'BAD_REQUEST_LINE', message: expect.stringMatching(message) });
  });
});

describe('isRequestLineParseError', () => {
  it.each([
    ['HPE_INVALID_VERSION', true],
    ['HPE_INVALID_CONSTANT', true],
    ['HPE_INVALID_METHOD', false],
    ['HPE_INVALID_HEADER_TOKEN', false],
    ['HPE_INVALID_CONTENT_LENGTH', false],
  ])('%s → %s', (code, expected) => {
    expect(isRequestLineParseError(code)).toBe(expected);
  });
});
