import type { StackSlice } from '../config.js';
import type { StackComponent } from '../context.js';
import { legacyMigrate, legacySeed, legacyService } from './legacy.js';
import { sliceService } from './new-services.js';
import { cdcJars, kafkaBroker, kafkaConnect, legacyConnector, sliceProjector } from './cdc.js';
import { edgeProxy } from './edge.js';
import { mariadbServer } from './mariadb-server.js';
import { postgresServer } from './postgres-server.js';
import { unleashServer } from './unleash.js';
import { nginxFrontDoor } from './nginx.js';

/**
 * Everything `npm start` runs: the fixed parts, and per slice manifest (slices/<name>.json) its service's
 * migrations and server, and its projector. Order here only breaks ties: `dependsOn` decides what starts first.
 *
 * Adding a component:
 *  - a service of this repo: `nodeService({ name, dependsOn, script, port, portEnv, env })` (node-process.ts),
 *    with its port as a key in ../config.ts; a CLI to run once or on every start: `nodeStep({ … })`;
 *  - anything else (a broker, a proxy): a `Component` object (../component.ts) with `start` returning
 *    `spawnManaged(…)` (detached, with a pid file under ctx.paths.runDir), a `health` check, `stopLeftovers`;
 *  - a server with its own data dir that needs its own OS user or stop signal: see postgres.ts/postgres-server.ts;
 *  - then list it below. A new slice needs none of this: its manifest is enough.
 */
export function stackComponents(slices: readonly StackSlice[]): StackComponent[] {
  return [
    mariadbServer(slices),
    legacyMigrate,
    legacySeed,
    legacyService,
    ...slices.flatMap((slice) => {
      const service = sliceService(slice);
      return [service.migrate, service.service];
    }),
    cdcJars,
    kafkaBroker,
    kafkaConnect,
    legacyConnector,
    ...slices.map(sliceProjector),
    postgresServer,
    unleashServer,
    edgeProxy(slices),
    nginxFrontDoor,
  ];
}
