/**
 * `npm run contracts`: regenerate the committed pacts from the consumer tests, publish them when a broker is configured,
 * verify every implementation of every slice against them, print a summary, exit non-zero unless all passed.
 * Needs nothing running: each step is a vitest run, which starts its own MariaDB (stack/src/testing/global-setup.ts).
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { brokerSettings, publishPact } from './broker.js';
import { childEnv, loadContractsConfig } from './config.js';
import { committedPactFile, COMMITTED_PACT_DIR, fromRepoRoot, REPO_ROOT } from './paths.js';
import { CONSUMER, SLICES } from './slices.js';
import { formatSummary, summarize } from './summary.js';
import { formatMessageSummary, MESSAGE_VERIFICATION_TESTS, messageConsumerTests, summarizeMessagePacts } from './messages/message-summary.js';

const CONSUMER_TESTS = 'contracts/src/consumer/';
const VERIFICATION_TESTS = 'contracts/src/provider/verify.e2e.test.ts';

function runVitest(filters: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(join(REPO_ROOT, 'node_modules', '.bin', 'vitest'), ['run', ...filters], {
      cwd: REPO_ROOT,
      stdio: 'inherit',
      env: childEnv(env),
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', () => resolve(127));
  });
}

const step = (title: string) => console.log(`\n\u001b[1m▶ ${title}\u001b[0m`);

async function main(): Promise<number> {
  const config = loadContractsConfig();
  const resultsDir = fromRepoRoot(config.resultsDir);
  const started = new Date();

  step(`consumer tests → ${relative(REPO_ROOT, COMMITTED_PACT_DIR)}/`);
  // The tests rewrite the committed pacts interaction by interaction; a failed run must not leave half a pact behind.
  const backup = mkdtempSync(join(tmpdir(), 'strangler-pacts-backup-'));
  mkdirSync(COMMITTED_PACT_DIR, { recursive: true });
  cpSync(COMMITTED_PACT_DIR, backup, { recursive: true });
  try {
    // The storefront's HTTP pacts and the projectors' message pacts.
    if ((await runVitest([CONSUMER_TESTS, ...messageConsumerTests()], { PACT_DIR: COMMITTED_PACT_DIR })) !== 0) {
      rmSync(COMMITTED_PACT_DIR, { recursive: true, force: true });
      cpSync(backup, COMMITTED_PACT_DIR, { recursive: true });
      console.error('consumer tests failed: the committed pacts were left as they were, nothing was verified');
      return 1;
    }
  } finally {
    rmSync(backup, { recursive: true, force: true });
  }

  const broker = brokerSettings(config);
  if (broker) {
    step(`publish pacts to ${broker.baseUrl} as ${CONSUMER} ${config.consumerVersion}`);
    for (const { provider } of SLICES) {
      const published = await publishPact(broker, committedPactFile(CONSUMER, provider), config.consumerVersion);
      console.log(`  ${provider}: PUT ${published.url} → ${published.status}`);
    }
  }

  step('provider verification (every implementation of every slice; the message pacts on real Debezium events)');
  const verification = await runVitest([VERIFICATION_TESTS, MESSAGE_VERIFICATION_TESTS], { CONTRACTS_RESULTS_DIR: resultsDir });

  const { rows, ok } = summarize({ resultsDir, since: started });
  const messages = summarizeMessagePacts({ resultsDir, since: started });
  console.log(`\n──────── contracts (${relative(REPO_ROOT, resultsDir)}/) ────────`);
  console.log(formatSummary(rows));
  console.log('\nmessage pacts (change events → projectors):');
  console.log(formatMessageSummary(messages.rows));
  return ok && messages.ok && verification === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
