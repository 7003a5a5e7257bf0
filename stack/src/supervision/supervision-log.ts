import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createLogger, type Logger } from '@strangler/platform';
import type { ProgressEvent, Reporter } from '../orchestrator.js';

/**
 * The supervisor's record, one JSON line per crash, restart and failure, in `<STACK_DIR>/logs/supervisor.log`:
 * the display shows the same things for a human, this keeps them (with the crashed process's log tail).
 */
export function supervisionLog(file: string): Reporter {
  mkdirSync(dirname(file), { recursive: true });
  // Synchronous appends: a line is on disk before the launcher can die, and there are only a few of them.
  const logger: Logger = createLogger({ name: 'stack-supervisor', destination: { write: (line: string) => appendFileSync(file, line) } });
  return {
    update(event: ProgressEvent) {
      switch (event.type) {
        case 'exited':
          return logger.warn(
            { component: event.name, pid: event.pid, code: event.code, logFile: event.logFile, logTail: event.logTail, restartAttempt: event.restart?.attempt, restartInMs: event.restart?.inMs },
            event.restart ? 'component exited unexpectedly; restarting' : 'component exited unexpectedly; crash loop, giving up',
          );
        case 'restarting':
          return logger.info({ component: event.name, attempt: event.attempt }, 'restarting component');
        case 'restart-failed':
          return logger.warn({ component: event.name, attempt: event.attempt, reason: event.reason, restartAttempt: event.restart?.attempt, restartInMs: event.restart?.inMs }, 'restart failed');
        case 'restarted':
          return logger.info({ component: event.name, pid: event.pid, restarts: event.restarts, recoveryMs: event.ms }, 'component healthy again');
        case 'failed':
          return logger.error({ component: event.name, reason: event.reason }, 'component failed');
        default:
          return undefined;
      }
    },
  };
}
