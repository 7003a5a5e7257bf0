export { createTestDatabase, sqlOfRolledBackTransaction, type TestDatabase } from './test-database.js';
export { createTestFlag, uniqueFlagName, type TestFlag } from './test-unleash.js';
export type { TestKafka, TestMariaDb, TestUnleash } from './test-env.js';
export { freePort } from '../ports.js';
export { startPrivateConnect, type PrivateConnect } from './cdc-stack.js';
export { readTopic, registerTestConnector, waitForTopic, type TestConnector, type TopicRecord } from './test-cdc.js';
export { configError } from './config-error.js';
