// `npm run strangler -- <command>` (and the `strangler` bin) run this file with tsx and the "development" condition.
import { runCli } from './program.js';

// exitCode, not exit(): stdout may be a pipe still being written to (--json output read by a script).
process.exitCode = await runCli(process.argv.slice(2), { out: process.stdout, err: process.stderr });
