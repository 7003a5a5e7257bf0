import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verificationRecord, writeResult } from '@strangler/contracts/results';
import { SLICES } from '@strangler/contracts/slices';
import { contractsGate } from './contract-gate.js';
import { REPO_ROOT } from './config.js';

const pactFile = join(REPO_ROOT, 'contracts', 'pacts', 'storefront-users-api.json');
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function record(passed: boolean, pactContent: string | Buffer = readFileSync(pactFile)) {
  dir ??= mkdtempSync(join(tmpdir(), 'strangler-gate-'));
  writeResult(
    verificationRecord({ provider: 'users-api', implementation: 'users-service', consumer: 'storefront', pactFile, pactContent, interactions: 10, passed, verifiedAt: new Date('2025-01-01T12:00:00Z') }),
    { resultsDir: dir },
  );
}

describe('contract gate', () => {
  it('passes only a passing record of the current pact of the slice’s new provider', () => {
    dir = mkdtempSync(join(tmpdir(), 'strangler-gate-'));
    const gate = contractsGate(dir, SLICES);
    expect(gate.check('users')).toMatchObject({ verified: false, result: 'none', provider: 'users-api', implementation: 'users-service' });

    record(true);
    expect(gate.check('users')).toMatchObject({ verified: true, result: 'passed', currentPact: true, verifiedAt: '2025-01-01T12:00:00.000Z' });

    record(false);
    expect(gate.check('users')).toMatchObject({ verified: false, result: 'failed', currentPact: true });

    record(true, 'an older pact');
    expect(gate.check('users')).toMatchObject({ verified: false, result: 'passed', currentPact: false });
    expect(gate.check('users').detail).toContain('last verified against another version');
  });

  it('a record of legacy does not open the gate', () => {
    dir = mkdtempSync(join(tmpdir(), 'strangler-gate-'));
    writeResult(verificationRecord({ provider: 'users-api', implementation: 'legacy', consumer: 'storefront', pactFile, pactContent: readFileSync(pactFile), interactions: 10, passed: true }), {
      resultsDir: dir,
    });
    expect(contractsGate(dir, SLICES).check('users').verified).toBe(false);
  });

  it('a slice without a contract, or a corrupt record, stays closed', () => {
    dir = mkdtempSync(join(tmpdir(), 'strangler-gate-'));
    expect(contractsGate(dir, SLICES).check('orders')).toMatchObject({ verified: false, result: 'none', detail: 'no contract covers slice "orders" (its slice manifest\'s pacts)' });
    writeFileSync(join(dir, 'users-api--users-service.json'), '{"provider":"users-api"}');
    expect(contractsGate(dir, SLICES).check('users')).toMatchObject({ verified: false, result: 'unreadable' });
  });
});
