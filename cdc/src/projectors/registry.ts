import { createCatalogProjector } from './catalog-projector.js';
import type { Projector } from './projector.js';
import { createUsersProjector } from './users-projector.js';

/**
 * The field mappings, by the projector name a slice manifest gives (`projector.name`): the one piece of a slice
 * that is code. Each writes to its service's database through the service's `./projection` export.
 */
export const projectors: Readonly<Record<string, () => Projector>> = {
  users: () => createUsersProjector(),
  catalog: () => createCatalogProjector(),
};

/** The mapping a manifest names, or a message that says where to add it. */
export function projectorFor(name: string): Projector {
  const create = projectors[name];
  if (!create) throw new Error(`no field mapping for projector "${name}": add one to cdc/src/projectors/registry.ts (see CONTRIBUTING.md, "Adding a slice")`);
  return create();
}
