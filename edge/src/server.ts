// Entry point (`node dist/server.js`, like every workspace): the wiring lives in proxy/server.ts.
import './proxy/server.js';
