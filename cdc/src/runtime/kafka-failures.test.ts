import * as kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { classifyKafkaFailure, rootCause } from './kafka-failures.js';

// kafkajs's real error classes; its type declarations leave out some of their constructors' parameters.
type ErrorClass<A extends unknown[]> = new (...args: A) => Error;
const KafkaJSConnectionError = kafkajs.KafkaJSConnectionError as ErrorClass<[string]>;
const KafkaJSGroupCoordinatorNotFound = kafkajs.KafkaJSGroupCoordinatorNotFound as unknown as ErrorClass<[string]>;
const KafkaJSNonRetriableError = kafkajs.KafkaJSNonRetriableError as unknown as ErrorClass<[Error, { cause?: Error }?]>;
const KafkaJSNumberOfRetriesExceeded = kafkajs.KafkaJSNumberOfRetriesExceeded as unknown as ErrorClass<[Error, { retryCount: number; retryTime: number }]>;
const KafkaJSProtocolError = kafkajs.KafkaJSProtocolError as unknown as ErrorClass<[{ type: string; code: number; retriable: boolean; message: string }]>;
const KafkaJSSASLAuthenticationError = kafkajs.KafkaJSSASLAuthenticationError as unknown as ErrorClass<[string]>;

const refused = () => new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');

describe('classifyKafkaFailure', () => {
  it('a broker that is down or restarting is an outage, however kafkajs wrapped it', () => {
    expect(classifyKafkaFailure(refused())).toEqual({ kind: 'outage', reason: 'KafkaJSConnectionError: Connection error: connect ECONNREFUSED 127.0.0.1:9092' });
    const exhausted = new KafkaJSNumberOfRetriesExceeded(refused(), { retryCount: 5, retryTime: 4_800 });
    expect(classifyKafkaFailure(exhausted)).toMatchObject({ kind: 'outage', reason: expect.stringContaining('ECONNREFUSED') });
    // kafkajs calls these non-retriable and never restarts the consumer after them; a broker restart produces them.
    expect(classifyKafkaFailure(new KafkaJSGroupCoordinatorNotFound('Failed to find group coordinator'))).toMatchObject({ kind: 'outage' });
    expect(classifyKafkaFailure(new KafkaJSNonRetriableError(new KafkaJSGroupCoordinatorNotFound('Failed to find group coordinator')))).toMatchObject({ kind: 'outage' });
    expect(classifyKafkaFailure(new KafkaJSProtocolError({ type: 'COORDINATOR_LOAD_IN_PROGRESS', code: 14, retriable: true, message: 'loading' }))).toMatchObject({ kind: 'outage' });
  });

  it('bad credentials, a refused permission or a bug are fatal', () => {
    expect(classifyKafkaFailure(new KafkaJSSASLAuthenticationError('SASL PLAIN authentication failed'))).toMatchObject({ kind: 'fatal' });
    const denied = new KafkaJSProtocolError({ type: 'GROUP_AUTHORIZATION_FAILED', code: 30, retriable: false, message: 'Not authorized to access group' });
    expect(classifyKafkaFailure(new KafkaJSNonRetriableError(denied, { cause: denied }))).toMatchObject({ kind: 'fatal', reason: expect.stringMatching(/^GROUP_AUTHORIZATION_FAILED/) });
    expect(classifyKafkaFailure(new TypeError("Cannot read properties of undefined (reading 'offset')"))).toMatchObject({ kind: 'fatal' });
  });

  it('names the innermost cause', () => {
    const outer = new Error('outer', { cause: new Error('middle', { cause: refused() }) });
    expect(rootCause(outer)).toBe('KafkaJSConnectionError: Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    expect(rootCause('just a string')).toBe('just a string');
  });
});
