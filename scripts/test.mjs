#!/usr/bin/env node
// `npm test`: typecheck + lint + boundary check + compose check + every test, then one summary.
// Each step runs even if an earlier one failed, so one run shows everything that is wrong.
// The test step starts (and stops) the real components it needs itself: see stack/src/testing/global-setup.ts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const resultsDir = join(root, '.test-results');
const vitestJson = join(resultsDir, 'vitest.json');
const extraArgs = process.argv.slice(2);

function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.on('error', () => resolve(127));
  });
}

function composeAvailable() {
  const probe = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' });
  return probe.status === 0;
}

const steps = [
  { name: 'typecheck', run: () => run(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']) },
  { name: 'lint', run: () => run(bin('eslint'), ['--max-warnings=0', '.']) },
  {
    name: 'boundaries',
    run: () => run(bin('depcruise'), ['--config', '.dependency-cruiser.cjs', '--output-type', 'err', ...workspaceDirs()]),
  },
  {
    name: 'compose config',
    run: async () => (composeAvailable() ? run('docker', ['compose', '-f', 'docker-compose.yml', 'config', '-q']) : 'skipped'),
    skippedWhy: 'no `docker compose` client on this machine',
  },
  {
    name: 'tests',
    run: () => {
      rmSync(vitestJson, { force: true });
      mkdirSync(resultsDir, { recursive: true });
      return run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`, ...extraArgs]);
    },
  },
];

function workspaceDirs() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return pkg.workspaces
    .map((pattern) => (pattern.endsWith('/*') ? pattern.slice(0, -2) : pattern))
    .filter((dir) => existsSync(join(root, dir)));
}

function testCounts() {
  try {
    const report = JSON.parse(readFileSync(vitestJson, 'utf8'));
    return {
      files: report.testResults.length,
      passed: report.numPassedTests,
      failed: report.numFailedTests,
      skipped: report.numPendingTests + report.numTodoTests,
    };
  } catch {
    return undefined;
  }
}

const results = [];
for (const step of steps) {
  console.log(`\n\u001b[1m▶ ${step.name}\u001b[0m`);
  const started = Date.now();
  const outcome = await step.run();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const status = outcome === 'skipped' ? 'skipped' : outcome === 0 ? 'passed' : 'FAILED';
  results.push({ name: step.name, status, seconds, note: outcome === 'skipped' ? step.skippedWhy : '' });
}

const counts = testCounts();
console.log('\n──────── summary ────────');
for (const r of results) {
  const mark = r.status === 'passed' ? '✔' : r.status === 'skipped' ? '–' : '✖';
  console.log(`${mark} ${r.name.padEnd(15)} ${r.status.padEnd(8)} ${r.seconds.padStart(6)}s ${r.note}`);
}
const anyFailed = results.some((r) => r.status === 'FAILED');
if (counts) {
  console.log(`  test files: ${counts.files}, tests skipped: ${counts.skipped}`);
  // The plain closing line CI readers look for.
  console.log(`tests: ${counts.passed} passed, ${counts.failed} failed`);
} else {
  console.log('tests: no test report was written');
}
process.exit(anyFailed || !counts ? 1 : 0);
