/**
 * What a Kafka failure means for the projector. Almost everything is an outage it waits out (broker down or
 * restarting, coordinator moving or loading, request timeouts, metadata not there yet); only a failure that no
 * amount of waiting can fix is fatal, and the process exits non-zero so that its supervisor (and a human) sees it.
 *
 * kafkajs's own verdict (`retriable`) is not enough: it calls "Failed to find group coordinator" non-retriable, which
 * is what a broker restart looks like from a consumer, and then never restarts the consumer.
 */
export type KafkaFailure = { kind: 'fatal'; reason: string } | { kind: 'outage'; reason: string };

/** kafkajs error classes no retry can fix: wrong credentials or a broker speaking another protocol. */
const FATAL_NAMES = new Set([
  'KafkaJSSASLAuthenticationError',
  'KafkaJSServerDoesNotSupportApiKey',
  'KafkaJSNotImplemented',
  'KafkaJSUnsupportedMagicByteInMessageSet',
  'KafkaJSInvalidVarIntError',
  'KafkaJSInvalidLongError',
  'KafkaJSInvariantViolation',
]);

/** Kafka protocol error types that are configuration or permission problems, not availability. */
const FATAL_TYPES = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'UNSUPPORTED_SASL_MECHANISM',
  'ILLEGAL_SASL_STATE',
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'INVALID_GROUP_ID',
  'INCONSISTENT_GROUP_PROTOCOL',
  'INVALID_SESSION_TIMEOUT',
  'UNSUPPORTED_VERSION',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
]);

/** A bug in this process (its own code or a library's), not the broker: restarting the consumer would loop on it. */
const PROGRAMMING_ERRORS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

interface ErrorLike {
  name?: unknown;
  type?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** The error and its causes, outermost first (kafkajs wraps: NumberOfRetriesExceeded → ConnectionError → …). */
function causeChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (typeof current === 'object' && current !== null && chain.length < 10 && !chain.includes(current as ErrorLike)) {
    chain.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return chain;
}

/** The innermost cause, as `Name: message`: what an operator needs to read ("connect ECONNREFUSED 127.0.0.1:9092"). */
export function rootCause(error: unknown): string {
  const chain = causeChain(error);
  const root = chain[chain.length - 1];
  if (!root) return String(error);
  const name = typeof root.name === 'string' ? root.name : 'Error';
  return `${name}: ${typeof root.message === 'string' ? root.message : String(root.message)}`;
}

export function classifyKafkaFailure(error: unknown): KafkaFailure {
  const reason = rootCause(error);
  for (const link of causeChain(error)) {
    if (typeof link.name === 'string' && (FATAL_NAMES.has(link.name) || PROGRAMMING_ERRORS.has(link.name))) return { kind: 'fatal', reason };
    if (typeof link.type === 'string' && FATAL_TYPES.has(link.type)) return { kind: 'fatal', reason: `${link.type}: ${reason}` };
  }
  return { kind: 'outage', reason };
}
