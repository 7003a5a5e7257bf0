import { verificationStatus } from '@strangler/contracts/results';
import type { ContractSlice } from '@strangler/contracts/slices';

/**
 * What the contracts say about a slice's new provider: the rollout gate. A slice's extracted service may only take
 * traffic with a passing verification record for the pact as committed now (contracts/src/results.ts).
 */
export interface ContractCheck {
  slice: string;
  /** Pact provider name (users-api); undefined when no contract covers the slice. */
  provider?: string;
  /** The new implementation verified against it (users-service). */
  implementation?: string;
  /** True only for a passing record of the current pact. */
  verified: boolean;
  /** The last recorded verification: passed, failed, none (never verified), or unreadable (a corrupt record). */
  result: 'passed' | 'failed' | 'none' | 'unreadable';
  /** Whether that record is for the pact committed now; undefined without a record. */
  currentPact?: boolean;
  verifiedAt?: string;
  detail: string;
}

export interface ContractGate {
  check(slice: string): ContractCheck;
}

/** The gate on the records in `resultsDir` (CONTRACTS_RESULTS_DIR), the committed pacts and the slices' declared pacts. */
export function contractsGate(resultsDir: string, slices: readonly ContractSlice[]): ContractGate {
  return {
    check(slice) {
      const covered = slices.find((s) => s.slice === slice);
      const implementation = covered?.implementations.find((name) => name !== 'legacy');
      if (!covered || !implementation) {
        return { slice, verified: false, result: 'none', detail: `no contract covers slice "${slice}" (its slice manifest's pacts)` };
      }
      const target = { slice, provider: covered.provider, implementation };
      let status;
      try {
        status = verificationStatus(covered.provider, implementation, { resultsDir });
      } catch (error) {
        return { ...target, verified: false, result: 'unreadable', detail: (error as Error).message };
      }
      const record = status.record;
      const common = { ...target, verified: status.verified, detail: status.detail, verifiedAt: record?.verifiedAt };
      if (status.verified) return { ...common, result: 'passed', currentPact: true };
      switch (status.reason) {
        case 'no-record':
          return { ...common, result: 'none' };
        case 'failed':
          return { ...common, result: 'failed', currentPact: true };
        case 'pact-changed':
        case 'no-pact':
          return { ...common, result: record ? (record.passed ? 'passed' : 'failed') : 'none', currentPact: record ? false : undefined };
      }
    },
  };
}
