// Run as `node --conditions=development --import tsx stack/src/cli.ts <command>` (the root npm scripts do), so
// workspace packages resolve to their TypeScript sources exactly as in the services, tests and typecheck.
import { main } from './main.js';

process.exit(await main(process.argv.slice(2)));
