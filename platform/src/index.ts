export * from './config.js';
export * from './db.js';
export * from './errors.js';
export * from './http.js';
export * from './logger.js';
export * from './metrics.js';
export * from './server.js';
export * from './validation.js';
