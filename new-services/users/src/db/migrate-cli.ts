import { migrateCli, runCli } from '@strangler/platform';
import { loadUsersDbConfig } from '../config.js';
import { migrateToLatest } from './migrations.js';

/** `npm run migrate -w new-services/users`: applies pending migrations. Exit 0 on success, 1 on a configuration or database problem. */
runCli(() => migrateCli(() => loadUsersDbConfig(), migrateToLatest));
