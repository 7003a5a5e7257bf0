// The projector process; the entry point lives in server.ts like every service's (this name is kept for the launcher).
import './server.js';
