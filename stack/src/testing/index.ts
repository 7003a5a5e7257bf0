export { createTestDatabase, type TestDatabase } from './test-database.js';
export type { TestMariaDb } from './test-env.js';
