/**
 * Turns AWS errors that a later attempt can fix (throttling, 5xx) into
 * `TransientError`, the name the state machines retry with backoff. The SDK
 * has already retried them (standard mode); what still fails after that is
 * handed to Step Functions to retry on a longer scale instead of failing the
 * migration.
 *
 * Written here rather than imported: the SDK's own classifier lives in an
 * internal Smithy package this project does not depend on, and the rule
 * needed is short.
 */
import { TransientError } from '../domain/errors.ts';

const THROTTLING_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerErrorException',
  'InternalServiceFault',
  'InternalFailure',
]);

/** Whether an SDK error is throttling or a server-side (5xx) failure. */
export function isTransientAwsError(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const e = err as {
    name?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (e.$retryable) return true;
  if (typeof e.name === 'string' && THROTTLING_NAMES.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  return typeof status === 'number' && (status === 429 || status >= 500);
}

/** Rethrows `err`, as a TransientError when a retry can fix it. */
export function rethrowAws(err: unknown, what: string): never {
  if (isTransientAwsError(err)) {
    const e = err as Error;
    throw new TransientError(`${what}: ${e.name}: ${e.message}`, {
      cause: err,
    });
  }
  throw err;
}
