import { stackSlice, type StackSlice } from '../config.js';
import { nodeApp, type NodeAppComponents } from './node-app.js';

// Each extracted service owns its database. The stack fills it from the monolith through CDC (the projectors in
// ./cdc.ts), so it has no seed step of its own: its rows are the monolith's, ids included. (Each service's seed CLI
// still exists, for running a service on its own.)

/** A slice's service as its manifest declares it: `<slice>-migrate`, then `<slice>` on its port. */
export function sliceService({ manifest }: StackSlice): NodeAppComponents {
  return nodeApp({
    name: manifest.name,
    dir: manifest.service.workspace,
    user: manifest.service.database,
    database: manifest.service.database,
    port: (config) => stackSlice(config, manifest.name).servicePort,
    portEnv: manifest.service.port.setting,
  });
}
