import { describe, expect, it } from 'vitest';
import { loadSlices } from '@strangler/platform/slices';
import { repoSliceManifest, temporarySlicesDir, testSliceManifest } from '@strangler/testkit/slices';
import { declaredFlags, sliceSpecs } from './slices.js';

describe('slices from the slice manifests', () => {
  it("reads the repository's users and catalog slices on their default ports", () => {
    expect(sliceSpecs(loadSlices())).toEqual([
      { name: 'catalog', flag: 'catalog.reads', legacy: 'http://127.0.0.1:3000', service: 'http://127.0.0.1:3002' },
      { name: 'users', flag: 'users.reads', legacy: 'http://127.0.0.1:3000', service: 'http://127.0.0.1:3001' },
    ]);
  });

  it('reads name, flag and targets of any manifest, and one flag per slice', () => {
    const slices = temporarySlicesDir([repoSliceManifest('users'), testSliceManifest({ name: 'orders', service: 'http://127.0.0.1:3003/' })]);
    try {
      const specs = sliceSpecs(loadSlices(slices.dir));
      expect(specs).toEqual([
        { name: 'orders', flag: 'orders.reads', legacy: 'http://127.0.0.1:3000', service: 'http://127.0.0.1:3003' },
        { name: 'users', flag: 'users.reads', legacy: 'http://127.0.0.1:3000', service: 'http://127.0.0.1:3001' },
      ]);
      expect(declaredFlags(specs)).toEqual(['orders.reads', 'users.reads']);
    } finally {
      slices.remove();
    }
  });
});
