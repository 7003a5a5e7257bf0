import { describe, expect, it } from 'vitest';
import { checkHostHeader, parseAuthority, sameAuthority } from './host-header.js';

describe('parseAuthority', () => {
  it.each([
    ['edge.test', 'edge.test', undefined, 'reg-name'],
    ['EDGE.Test', 'edge.test', undefined, 'reg-name'],
    ['edge.test:8000', 'edge.test', 8000, 'reg-name'],
    ['localhost', 'localhost', undefined, 'reg-name'],
    ['localhost:1', 'localhost', 1, 'reg-name'],
    ['a.test:65535', 'a.test', 65535, 'reg-name'],
    ['edge.test.', 'edge.test.', undefined, 'reg-name'],
    ['users_service:3001', 'users_service', 3001, 'reg-name'],
    ['_srv.example', '_srv.example', undefined, 'reg-name'],
    ['a-b.c-d.test', 'a-b.c-d.test', undefined, 'reg-name'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example', undefined, 'reg-name'],
    ['1a.test', '1a.test', undefined, 'reg-name'],
    [`${'a'.repeat(63)}.test`, `${'a'.repeat(63)}.test`, undefined, 'reg-name'],
    ['127.0.0.1', '127.0.0.1', undefined, 'ipv4'],
    ['127.0.0.1:8000', '127.0.0.1', 8000, 'ipv4'],
    ['0.0.0.0', '0.0.0.0', undefined, 'ipv4'],
    ['255.255.255.255:80', '255.255.255.255', 80, 'ipv4'],
    ['[::1]', '[::1]', undefined, 'ipv6'],
    ['[::1]:8000', '[::1]', 8000, 'ipv6'],
    ['[2001:DB8::1]', '[2001:db8::1]', undefined, 'ipv6'],
    ['[::ffff:127.0.0.1]:80', '[::ffff:127.0.0.1]', 80, 'ipv6'],
  ])('accepts %j', (value, host, port, kind) => {
    expect(parseAuthority(value)).toEqual({ ok: true, authority: { host, port, kind } });
  });

  it.each([
    ['', /empty/],
    ['a b', /whitespace/],
    ['a\tb', /whitespace/],
    ['a\u0000b', /control/],
    ['a\u007fb', /control/],
    ['edge.test\r\nX-Injected: 1', /whitespace or a control/],
    ['bücher.example', /ASCII/],
    ['a.test,b.test', /list/],
    ['a.test, b.test', /whitespace|list/],
    ['user@edge.test', /userinfo/],
    ['user:pass@edge.test', /userinfo/],
    ['edge.test/path', /path/],
    ['edge.test/', /path/],
    ['edge.test?q=1', /query/],
    ['edge.test#frag', /fragment/],
    ['edge.test\\x', /path/],
    ['b%C3%BCcher.example', /percent/],
    ['%65dge.test', /percent/],
    ['edge.test:', /port/],
    ['edge.test:0', /port/],
    ['edge.test:65536', /port/],
    ['edge.test:99999', /port/],
    ['edge.test:+80', /port/],
    ['edge.test:-1', /port/],
    ['edge.test:080', /port/],
    ['edge.test:http', /port/],
    ['edge.test:8000:8001', /more than one/],
    ['::1', /more than one/],
    ['[::1', /unterminated/],
    ['[::1]x', /after its IP literal/],
    ['[::1]:', /port/],
    ['[::1]:0', /port/],
    ['[not-ipv6]', /IPv6/],
    ['[127.0.0.1]', /IPv6/],
    ['[v1.fe80::a+en1]', /IPv6|list|whitespace|percent/],
    ['[fe80::1%25eth0]', /percent/],
    [':8000', /no host name/],
    ['.', /IPv4|DNS/],
    ['.edge.test', /DNS/],
    ['edge..test', /DNS/],
    ['edge.test..', /DNS/],
    ['-edge.test', /DNS/],
    ['edge-.test', /DNS/],
    ['edge!.test', /DNS/],
    ['edge;test', /DNS/],
    ['edge=test', /DNS/],
    [`${'a'.repeat(64)}.test`, /DNS/],
    [`${'a.'.repeat(127)}ab`, /253/],
    ['127.1', /IPv4/],
    ['1.2.3.256', /IPv4/],
    ['010.0.0.1', /IPv4/],
    ['1.2.3.4.5', /IPv4/],
    ['1.2.3.', /IPv4/],
    ['999', /IPv4/],
  ])('refuses %j', (value, message) => {
    const result = parseAuthority(value);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toMatch(message);
  });
});

describe('checkHostHeader (RFC 9112 §3.2)', () => {
  it.each([
    [['edge.test'], '1.1', true],
    [['edge.test'], '1.0', true],
    [[], '1.0', true],
    [[], '1.1', false],
    [['edge.test', 'edge.test'], '1.1', false],
    [['edge.test', 'other.test'], '1.0', false],
    [[''], '1.1', false],
    [[''], '1.0', false],
    [['a,b'], '1.0', false],
  ])('%j on HTTP/%s → ok %s', (values, version, ok) => {
    expect(checkHostHeader(values, version).ok).toBe(ok);
  });

  it('says what is wrong', () => {
    expect(checkHostHeader([], '1.1')).toEqual({ ok: false, message: 'Host header is required' });
    expect(checkHostHeader(['a', 'b'], '1.1')).toEqual({ ok: false, message: 'More than one Host header' });
    expect(checkHostHeader(['edge.test:8000'], '1.1')).toEqual({ ok: true, authority: { host: 'edge.test', port: 8000, kind: 'reg-name' } });
    expect(checkHostHeader([], '1.0')).toEqual({ ok: true, authority: undefined });
  });
});

describe('sameAuthority', () => {
  const parse = (value: string) => {
    const result = parseAuthority(value);
    if (!result.ok) throw new Error(result.message);
    return result.authority;
  };

  it.each([
    ['edge.test', 'EDGE.TEST', 'http', true],
    ['edge.test', 'edge.test:80', 'http', true],
    ['edge.test:443', 'edge.test', 'https', true],
    ['edge.test:443', 'edge.test', 'http', false],
    ['edge.test:8000', 'edge.test', 'http', false],
    ['edge.test:8000', 'edge.test:8000', 'http', true],
    ['edge.test', 'other.test', 'http', false],
    ['edge.test.', 'edge.test', 'http', false],
    ['[::1]:80', '[0:0:0:0:0:0:0:1]', 'http', false],
    ['[::1]', '[::1]:80', 'http', true],
  ])('%s vs %s (%s) → %s', (a, b, scheme, same) => {
    expect(sameAuthority(parse(a), parse(b), scheme)).toBe(same);
  });
});
