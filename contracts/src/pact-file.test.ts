import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparablePact, providerStateNames, readPactFile, sha256, type PactFile } from './pact-file.js';

const pact = (overrides: Partial<PactFile> = {}, tools = { 'pact-js': { version: '16.5.0' }, pactRust: { ffi: '0.5.4' } }): PactFile => ({
  consumer: { name: 'storefront' },
  provider: { name: 'users-api' },
  interactions: [
    { description: 'b', providerStates: [{ name: 'a user with id {id} exists', params: { id: 1 } }, { name: 'x' }] },
    { description: 'a', providerStates: [{ name: 'x' }] },
    { description: 'c' },
  ],
  metadata: { ...tools, pactSpecification: { version: '4.0' } },
  ...overrides,
});

describe('comparablePact', () => {
  it('ignores the versions of the tools that wrote the pact', () => {
    expect(comparablePact(pact({}, { 'pact-js': { version: '17.0.0' }, pactRust: { ffi: '0.6.0' } }))).toEqual(comparablePact(pact()));
  });

  it('keeps everything else: an interaction, a state parameter, the spec version', () => {
    const changedInteraction = pact({ interactions: [...pact().interactions, { description: 'd' }] });
    expect(comparablePact(changedInteraction)).not.toEqual(comparablePact(pact()));
    const changedParam = pact();
    changedParam.interactions[0]!.providerStates![0]!.params = { id: 2 };
    expect(comparablePact(changedParam)).not.toEqual(comparablePact(pact()));
    const v3 = pact({ metadata: { pactSpecification: { version: '3.0.0' } } });
    expect(comparablePact(v3)).not.toEqual(comparablePact(pact()));
  });
});

describe('pact files', () => {
  it('lists each provider state once', () => {
    expect(providerStateNames(pact())).toEqual(['a user with id {id} exists', 'x']);
  });

  it('reads pacts and refuses other JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strangler-pact-file-'));
    writeFileSync(join(dir, 'good.json'), JSON.stringify(pact()));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ hello: 'world' }));
    expect(readPactFile(join(dir, 'good.json')).provider.name).toBe('users-api');
    expect(() => readPactFile(join(dir, 'bad.json'))).toThrow(/not a pact file/);
  });

  it('hashes content with sha256', () => {
    expect(sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
