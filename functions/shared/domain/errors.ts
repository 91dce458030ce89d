/**
 * Error classes thrown by the phase handlers. Their names are the contract
 * with the state machines: the ASL files retry and catch them by name, so the
 * name is set as a string literal (minified bundles keep it) and `ERROR_NAMES`
 * lists every one for the ASL contract test.
 */

/** A plan or an event that can never succeed as given. Not retried. */
export class ValidationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ValidationError';
  }
}

/** A temporary condition (throttling, 5xx, a timeout): retried with backoff. */
export class TransientError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** One or more AWS-side or Kafka-side preflight checks failed. Nothing was created. */
export class PreflightFailedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PreflightFailedError';
  }
}

/** A replicator reached FAILED (StateInfo in the message), or vanished. */
export class ReplicatorFailedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ReplicatorFailedError';
  }
}

/** A replicator stayed CREATING past the hard limit. */
export class ReplicatorStuckError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ReplicatorStuckError';
  }
}

/** A replicator with our exact name exists with different settings. */
export class ReplicatorConflictError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ReplicatorConflictError';
  }
}

/** Replication never became ready within the plan's `readiness.maxWaitHours`. */
export class ReadinessTimeoutError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ReadinessTimeoutError';
  }
}

/**
 * The readiness forecast said "never" (or later than `maxWaitHours`) for
 * `readiness.stallMinutes`, and the plan sets `readiness.failWhenStalled`.
 */
export class ReadinessStalledError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ReadinessStalledError';
  }
}

/** A person decided to abort the migration at a gate. */
export class MigrationAbortedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MigrationAbortedError';
  }
}

/** A gate decision that the gate does not allow. */
export class InvalidDecisionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidDecisionError';
  }
}

/** Teardown refused: deleting now could break an application. */
export class TeardownGuardError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TeardownGuardError';
  }
}

/** The ledger changed under us (a conditional write failed). */
export class LedgerConflictError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LedgerConflictError';
  }
}

/**
 * A child or continuation execution adopted after a retried start
 * (ExecutionAlreadyExists) ended without succeeding. Raised by the ASL
 * (Fail / Pass into `$.error`), never thrown by a handler.
 */
export class ChildExecutionFailedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ChildExecutionFailedError';
  }
}

/**
 * Step Functions no longer waits for a task token: the task timed out or its
 * execution ended. The TaskTokens adapter raises it for the service's
 * `TaskTimedOut` and `TaskDoesNotExist` (SendTaskSuccess/SendTaskFailure
 * errors in @aws-sdk/client-sfn's model), named in `reason`. Approvals
 * handle it (the gate closed); it never reaches a state machine, so it is
 * not in ERROR_NAMES.
 */
export class TaskGoneError extends Error {
  constructor(
    readonly reason: 'TaskTimedOut' | 'TaskDoesNotExist',
    options?: ErrorOptions,
  ) {
    super(`the task no longer waits (${reason})`, options);
    this.name = 'TaskGoneError';
  }
}

export const ERROR_NAMES = [
  'ValidationError',
  'TransientError',
  'PreflightFailedError',
  'ReplicatorFailedError',
  'ReplicatorStuckError',
  'ReplicatorConflictError',
  'ReadinessTimeoutError',
  'ReadinessStalledError',
  'MigrationAbortedError',
  'InvalidDecisionError',
  'TeardownGuardError',
  'LedgerConflictError',
  'ChildExecutionFailedError',
] as const;

export type ErrorName = (typeof ERROR_NAMES)[number];
