export * from './slice-manifest.js';
export * from './load-slices.js';
export * from './slice-settings.js';
