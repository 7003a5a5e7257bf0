import { migrateCli, runCli } from '@strangler/platform';
import { loadLegacyDbConfig } from '../config.js';
import { migrateToLatest } from './migrations.js';

/** `npm run migrate -w legacy`: applies pending migrations. Exit 0 on success, 1 on a configuration or database problem. */
runCli(() => migrateCli(() => loadLegacyDbConfig(), migrateToLatest));
