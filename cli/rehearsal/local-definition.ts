/**
 * The local copy of an ASL definition for the local runner (local-sfn.ts):
 * the integrations' resources, the rewrite of Wait states and Task
 * timeouts onto the virtual clock, and the Retry fields it honours.
 */
import type { StateMachineDefinition } from 'aws-local-stepfunctions';

export type StateDef = Record<string, unknown> & { Type: string };

export interface StateInfo {
  type: string;
  /** `.waitForTaskToken` or `.sync`: one more history event (TaskSubmitted). */
  callback: boolean;
}

export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
export const LAMBDA_CALLBACK =
  'arn:aws:states:::lambda:invoke.waitForTaskToken';
export const START_SYNC = 'arn:aws:states:::states:startExecution.sync:2';
export const PUT_EVENTS = 'arn:aws:states:::events:putEvents';
export const DESCRIBE_EXECUTION =
  'arn:aws:states:::aws-sdk:sfn:describeExecution';
/**
 * Real-time timeout of every local Task: long enough for any rehearsal,
 * below setTimeout's 2^31-1 ms limit (a larger value fires at once).
 */
export const LOCAL_TASK_TIMEOUT_SECONDS = 2_000_000;
export const TIMEOUT_KEY = 'localGateTimeoutSeconds';

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface Localized {
  definition: StateMachineDefinition;
  states: Map<string, StateInfo>;
  tasks: Map<string, string>;
  /** The Retry field of each Task that has one. */
  retriers: Map<string, Retrier[]>;
}

/**
 * The local copy of a definition and its index: each Wait state becomes a
 * Task on `waitResource` (a sleep on the virtual clock), every Task gets a
 * long real-time timeout, and a callback Task's TimeoutSeconds(Path) moves
 * into its Parameters for the virtual clock (see local-sfn.ts).
 */
export function localize(
  source: StateMachineDefinition,
  waitResource: string,
): Localized {
  const definition = structuredClone(source);
  const states = new Map<string, StateInfo>();
  const tasks = new Map<string, string>();
  const retriers = new Map<string, Retrier[]>();
  const walk = (all: Record<string, StateDef>) => {
    for (const [name, state] of Object.entries(all)) {
      const resource = String(state.Resource ?? '');
      states.set(name, {
        type: state.Type,
        callback: resource === LAMBDA_CALLBACK || resource === START_SYNC,
      });
      if (state.Type === 'Wait') {
        if (
          state.Timestamp !== undefined ||
          state.TimestampPath !== undefined
        ) {
          throw new Error(`${name}: Timestamp waits are not supported locally`);
        }
        const parameters =
          state.SecondsPath !== undefined
            ? { 'seconds.$': state.SecondsPath }
            : { seconds: state.Seconds ?? 0 };
        for (const key of ['Seconds', 'SecondsPath']) delete state[key];
        Object.assign(state, {
          Type: 'Task',
          Resource: waitResource,
          Parameters: parameters,
          ResultPath: null,
          TimeoutSeconds: LOCAL_TASK_TIMEOUT_SECONDS,
        });
        tasks.set(name, waitResource);
      } else if (state.Type === 'Task') {
        tasks.set(name, resource);
        if (Array.isArray(state.Retry)) {
          retriers.set(name, state.Retry as Retrier[]);
        }
        if (resource === LAMBDA_CALLBACK) {
          const params = state.Parameters as Record<string, unknown>;
          if (state.TimeoutSecondsPath !== undefined) {
            params[`${TIMEOUT_KEY}.$`] = state.TimeoutSecondsPath;
          } else if (state.TimeoutSeconds !== undefined) {
            params[TIMEOUT_KEY] = state.TimeoutSeconds;
          }
        }
        delete state.TimeoutSecondsPath;
        state.TimeoutSeconds = LOCAL_TASK_TIMEOUT_SECONDS;
      } else if (state.Type === 'Map') {
        const processor = (state.ItemProcessor ?? state.Iterator) as {
          States: Record<string, StateDef>;
        };
        walk(processor.States);
      }
    }
  };
  walk(definition.States as unknown as Record<string, StateDef>);
  return { definition, states, tasks, retriers };
}

/**
 * Seconds before the retry of `err`, or undefined when no retrier takes it
 * (or its attempts are used up). FULL jitter waits half the interval: its
 * expected value, so rehearsals are reproducible.
 */
export function retryDelay(
  retriers: Retrier[],
  attempts: number[],
  err: unknown,
): number | undefined {
  const name = err instanceof Error ? err.name : 'Error';
  for (const [i, retrier] of retriers.entries()) {
    const matches = retrier.ErrorEquals.some(
      (e) =>
        e === name ||
        e === 'States.ALL' ||
        (e === 'States.TaskFailed' && name !== 'States.Timeout'),
    );
    if (!matches) continue;
    const done = attempts[i] ?? 0;
    if (done >= (retrier.MaxAttempts ?? 3)) return undefined;
    attempts[i] = done + 1;
    const interval = Math.min(
      (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** done,
      retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY,
    );
    return retrier.JitterStrategy === 'FULL' ? interval / 2 : interval;
  }
  return undefined;
}
