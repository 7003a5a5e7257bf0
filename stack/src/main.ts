import { ConfigError } from '@strangler/platform';
import { stackComponents } from './components/index.js';
import { describeStackConfig, inheritedEnv, loadStackConfig, REPO_ROOT, type StackConfig } from './config.js';
import { resetStack, startStack, type LauncherIo } from './launcher.js';
import { orderComponents } from './orchestrator.js';
import { formatTable } from './progress.js';
import type { StackComponent } from './context.js';

const USAGE = `Usage: node --conditions=development --import tsx stack/src/cli.ts <command>
  start    start the whole stack in the foreground (npm start); Ctrl-C stops it
  plan     list what start would run, in start order, with what each waits for (from the slice manifests)
  reset    delete STACK_DIR: data, logs, secrets (npm run stack:reset)
  config   list the settings (env vars) and their defaults`;

/** The launcher's command line; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command] = argv;
  const io: LauncherIo = { out: process.stdout, err: process.stderr, tty: process.stdout.isTTY === true };
  // A closed terminal or pipe must not crash the launcher before it has stopped its children.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  if (command === 'config' || command === 'help' || command === '--help' || command === undefined) {
    if (command === undefined || command !== 'config') io.out.write(`${USAGE}\n\n`);
    const rows = describeStackConfig().map((row) => [row.env, row.default, row.description]);
    io.out.write(`${formatTable([['env var', 'default', 'meaning'], ...rows], { color: false })}\n`);
    return command === undefined ? 1 : 0;
  }
  let config: StackConfig;
  try {
    config = loadStackConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const options = { components: stackComponents(config.slices), config, baseEnv: inheritedEnv(), repoRoot: REPO_ROOT, io };
  switch (command) {
    case 'plan':
      io.out.write(`${formatPlan(options.components)}\n`);
      return 0;
    case 'start':
      return startStack(options);
    case 'reset':
      return resetStack(options);
    default:
      io.err.write(`Unknown command: ${command}\n${USAGE}\n`);
      return 1;
  }
}

/** The components in start order, each with what it waits for. */
export function formatPlan(components: readonly StackComponent[]): string {
  const rows = orderComponents(components).map((component, index) => [String(index + 1), component.name, (component.dependsOn ?? []).join(', ') || '-']);
  return formatTable([['#', 'component', 'starts after'], ...rows], { color: false });
}
