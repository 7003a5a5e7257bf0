import type { StackComponent } from '../context.js';
import { legacyMigrate, legacySeed, legacyService } from './legacy.js';
import { catalogMigrate, catalogService, usersMigrate, usersService } from './new-services.js';
import { catalogProjector, cdcJars, kafkaBroker, kafkaConnect, legacyConnector, usersProjector } from './cdc.js';
import { edgeProxy } from './edge.js';
import { mariadbServer } from './mariadb-server.js';
import { postgresServer } from './postgres-server.js';
import { unleashServer } from './unleash.js';
import { nginxFrontDoor } from './nginx.js';

/**
 * Everything `npm start` runs. Order here only breaks ties: `dependsOn` decides what starts first.
 *
 * Adding a component:
 *  - a service of this repo: `nodeService({ name, dependsOn, script, port, portEnv, env })` (node-process.ts),
 *    with its port as a key in ../config.ts; a CLI to run once or on every start: `nodeStep({ … })`;
 *  - anything else (a broker, a proxy): a `Component` object (../component.ts) with `start` returning
 *    `spawnManaged(…)` (detached, with a pid file under ctx.paths.runDir), a `health` check, `stopLeftovers`;
 *  - an app of this repo with its own MariaDB database (migrate + seed + server): `nodeApp({ … })` (node-app.ts)
 *    plus an entry in APP_DATABASES (mariadb-server.ts);
 *  - a server with its own data dir that needs its own OS user or stop signal: see postgres.ts/postgres-server.ts;
 *  - then list it below.
 */
export const stackComponents: readonly StackComponent[] = [
  mariadbServer,
  legacyMigrate,
  legacySeed,
  legacyService,
  usersMigrate,
  usersService,
  catalogMigrate,
  catalogService,
  cdcJars,
  kafkaBroker,
  kafkaConnect,
  legacyConnector,
  usersProjector,
  catalogProjector,
  postgresServer,
  unleashServer,
  edgeProxy,
  nginxFrontDoor,
];
