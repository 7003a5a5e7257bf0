import { ConnectRequestError, ConnectUnavailableError } from '@strangler/cdc/connect';
import { FlagShapeError, UnleashApiError, UnleashAuthError, UnleashUnreachableError } from '@strangler/unleash-admin';

/** Exit codes: 0 ok, 1 something failed at run time, 2 the command was wrong or refused. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A failure with its exit code and a stable UPPER_SNAKE code (for --json). */
export class CliError extends Error {
  constructor(
    readonly exitCode: typeof EXIT_FAILURE | typeof EXIT_USAGE,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Every error a command can end with, as a CliError (unknown errors are run-time failures). */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof UnleashUnreachableError || error instanceof UnleashAuthError || error instanceof UnleashApiError || error instanceof FlagShapeError) {
    return new CliError(EXIT_FAILURE, error.code, error.message);
  }
  const connect = connectCliError(error);
  if (connect) return connect;
  return new CliError(EXIT_FAILURE, 'FAILED', error instanceof Error ? error.message : String(error));
}

function describeFetchCause(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    if (cause.name === 'TimeoutError' || cause.name === 'AbortError') return 'timed out';
    const inner = (cause as { cause?: { code?: string; message?: string } }).cause;
    return inner?.code ?? inner?.message ?? cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export const STACK_HINT = 'is the stack running? (npm start)';

/** Kafka Connect's errors as CliErrors: not running (with the hint) vs. refused. */
export function connectCliError(error: unknown): CliError | undefined {
  if (error instanceof ConnectUnavailableError) {
    return new CliError(EXIT_FAILURE, 'CONNECT_UNREACHABLE', `Kafka Connect is not reachable at ${error.url} (${describeFetchCause(error)}); ${STACK_HINT}`, {
      connectUrl: error.url,
    });
  }
  if (error instanceof ConnectRequestError) return new CliError(EXIT_FAILURE, 'CONNECT_REQUEST_FAILED', error.message, { status: error.status });
  return undefined;
}
