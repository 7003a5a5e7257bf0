import { describe, expect, it } from 'vitest';
import { loadSlices } from '@strangler/platform/slices';
import { projectedTables } from '../connect/pipeline-names.js';
import { projectorFor, projectors } from './registry.js';

describe('the projector registry against the slice manifests', () => {
  const slices = loadSlices();

  it.each(slices.map((slice) => [slice.name, slice] as const))('has the mapping the %s manifest names, over the legacy tables it lists', (_name, slice) => {
    const projector = projectorFor(slice.projector.name);
    expect(projector.name).toBe(slice.projector.name);
    expect([...projector.tables].sort()).toEqual(projectedTables(slice).sort());
  });

  it('has no mapping that no manifest uses', () => {
    expect(Object.keys(projectors).sort()).toEqual(slices.map((slice) => slice.projector.name).sort());
  });

  it('says where to add a missing mapping', () => {
    expect(() => projectorFor('orders')).toThrow(/no field mapping for projector "orders": add one to cdc\/src\/projectors\/registry\.ts/);
  });
});
