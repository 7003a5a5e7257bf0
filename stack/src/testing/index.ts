export { createTestDatabase, type TestDatabase } from './test-database.js';
export { TEST_MARIADB_PORT, type TestMariaDb } from './test-env.js';
