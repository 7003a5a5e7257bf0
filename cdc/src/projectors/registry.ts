import type { ProjectorName } from '../config.js';
import { createCatalogProjector } from './catalog-projector.js';
import type { Projector } from './projector.js';
import { createUsersProjector } from './users-projector.js';

/** Every projector the process can run, by the PROJECTOR value that selects it; each writes to its service's database. */
export const projectors: Record<ProjectorName, () => Projector> = {
  users: () => createUsersProjector(),
  catalog: () => createCatalogProjector(),
};
