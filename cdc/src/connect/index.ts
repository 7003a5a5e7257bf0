export * from './connect-client.js';
export * from './legacy-connector.js';
export * from './pipeline-names.js';
