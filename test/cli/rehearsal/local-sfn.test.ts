import { InvalidOutput, InvalidToken, TaskTimedOut } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import {
  type LambdaHandler,
  LocalWorkflow,
  loadDefinition,
  localSubstitutions,
  VirtualClock,
  type WorkflowEvent,
  WorkflowLimitError,
  type WorkflowPhase,
} from '../../../cli/rehearsal/local-sfn.ts';

const START = new Date('2026-01-01T00:00:00Z');
const input = {
  migrationId: 'm',
  planRef: { bucket: 'b', key: 'k', versionId: 'v' },
  executionBase: 'm-1',
  generation: 0,
};
const elapsed = (clock: VirtualClock) =>
  (clock.now().getTime() - START.getTime()) / 1000;

// biome-ignore lint/suspicious/noExplicitAny: scripted Lambda events
type Event = any;

/** Scripted phases: everything ready at once; gates answered by `answer`. */
function scripted(
  clock: VirtualClock,
  answer: (event: Event, wf: () => LocalWorkflow) => void,
  settings: Record<string, unknown> = {},
) {
  let wf: LocalWorkflow;
  const handlers: Partial<Record<WorkflowPhase, LambdaHandler>> = {
    'validate-plan': async () => ({
      apps: ['a', 'b'],
      concurrency: 1,
      pollIntervalSeconds: 300,
      runningPollSeconds: 60,
      gateTimeoutSeconds: 3600,
      postponeSeconds: 3600,
      rollbackWindowSeconds: 0,
      teardownRequiresApproval: false,
      ...settings,
    }),
    preflight: async () => ({ ok: true }),
    'probe-source': async () => ({ ok: true }),
    'measure-source-lag': async () => ({ measurementId: 'm1' }),
    'create-replicators': async () => ({ replicators: [] }),
    'describe-replicators': async (e: Event) => ({
      allRunning: true,
      iteration: e.iteration + 1,
      continueAsNew: false,
    }),
    'poll-readiness': async (e: Event) => ({
      ready: true,
      iteration: e.iteration + 1,
      continueAsNew: false,
    }),
    'verify-cutover': async (e: Event) => ({
      verified: true,
      iteration: e.iteration + 1,
      continueAsNew: false,
    }),
    'request-approval': async (e: Event) => {
      answer(e, () => wf);
      return { approvalId: 'x' };
    },
    teardown: async () => ({ deleted: [], remaining: [] }),
    'record-failure': async (e: Event) => ({
      status: 'FAILED',
      notified: true,
      error: e.error.Error,
      cause: 'recorded',
    }),
  };
  const events: WorkflowEvent[] = [];
  wf = new LocalWorkflow({ clock, handlers, onEvent: (e) => events.push(e) });
  return { wf, handlers, events };
}

/** Answer every gate `delaySeconds` later with the gate's go-ahead. */
const approveAfter =
  (clock: VirtualClock, delaySeconds: number) =>
  (e: Event, wf: () => LocalWorkflow) => {
    const decision =
      e.kind === 'cutover'
        ? 'cutover'
        : e.kind === 'teardown'
          ? 'teardown'
          : 'keep';
    void clock
      .sleep(delaySeconds)
      .then(() =>
        wf().decide(e.taskToken, { decision, approver: 'p', approvalId: 'x' }),
      );
  };

describe('VirtualClock', () => {
  it('should fire concurrent timers in time order, advancing only when everything waits', async () => {
    const clock = new VirtualClock(START);
    const order: string[] = [];

    await Promise.all([
      clock.sleep(300).then(() => order.push(`a@${elapsed(clock)}`)),
      clock.sleep(100).then(async () => {
        order.push(`b@${elapsed(clock)}`);
        await clock.sleep(100);
        order.push(`b2@${elapsed(clock)}`);
      }),
      clock.run(async () => {
        await new Promise((r) => setTimeout(r, 20)); // real I/O
        order.push(`io@${elapsed(clock)}`);
      }),
    ]);

    expect(order).toEqual(['io@0', 'b@100', 'b2@200', 'a@300']);
  });

  it('should not advance while held', async () => {
    const clock = new VirtualClock(START);
    const release = clock.hold();
    let fired = false;
    void clock.sleep(10).then(() => {
      fired = true;
    });

    await new Promise((r) => setTimeout(r, 30));
    expect(fired).toBe(false);
    release();
    await new Promise((r) => setTimeout(r, 30));

    expect(fired).toBe(true);
  });

  it('should report idle when everything waits on something other than time', async () => {
    const clock = new VirtualClock(START);
    let idle = 0;
    clock.onIdle(() => idle++);
    const { promise, resolve } = Promise.withResolvers<void>();

    void clock.sleep(5).then(() => promise); // then waits on a "gate"
    await new Promise((r) => setTimeout(r, 30));

    expect(elapsed(clock)).toBe(5);
    expect(idle).toBeGreaterThan(0);
    resolve();
  });

  it('should reject a negative wait', () => {
    expect(() => new VirtualClock().timer(-1)).toThrow(/seconds must be >= 0/);
  });
});

describe('LocalWorkflow', () => {
  it('should substitute every placeholder with local ARNs', () => {
    const text = JSON.stringify(loadDefinition('migration'));

    expect(text).not.toMatch(/\$\{/);
    expect(text).toContain(localSubstitutions().ValidatePlanFunctionArn);
  });

  it('should run two children at once with MaxConcurrencyPath 2, in virtual time', async () => {
    const clock = new VirtualClock(START);
    const { wf } = scripted(clock, approveAfter(clock, 1000), {
      concurrency: 2,
    });

    const result = await wf.start(input);

    expect(result.status).toBe('SUCCEEDED');
    const children = wf.executions().filter((e) => e.machine === 'app-cutover');
    expect(children.map((c) => c.startedAt.getTime())).toEqual([
      children[0]?.startedAt.getTime(),
      children[0]?.startedAt.getTime(),
    ]);
    // In parallel, not one after the other: each child takes 300 + 1000 +
    // 300 + 1000 seconds.
    const childSeconds = 2600;
    expect(elapsed(clock)).toBeLessThan(60 + 300 + 2 * childSeconds);
  });

  it('should keep a 1,000-application migration within the quotas', async () => {
    const clock = new VirtualClock(START);
    const apps = Array.from(
      { length: 1000 },
      (_, i) => `application-${String(i).padStart(4, '0')}`,
    );
    const { wf } = scripted(clock, approveAfter(clock, 600), {
      apps,
      concurrency: 40,
    });

    const result = await wf.start(input);

    expect(result.status).toBe('SUCCEEDED');
    const [parent, ...children] = wf.executions();
    expect(children).toHaveLength(1000);
    // About 8 events per application in the parent's Map.
    expect(parent?.historyEvents).toBeLessThan(9000);
    expect(parent?.largestPayloadBytes).toBeLessThan(64 * 1024);
    expect(
      Math.max(...children.map((c) => c.largestPayloadBytes)),
    ).toBeLessThan(2048);
  });

  it('should count AWS history events per state type', async () => {
    const clock = new VirtualClock(START);
    const { wf } = scripted(clock, approveAfter(clock, 10), { apps: ['a'] });

    await wf.start(input);

    const child = wf.executions().find((e) => e.name === 'm-1-a0');
    // Choice; Pass, Wait, 2 Lambda Tasks, Choice; gate, Choice; Pass, Wait,
    // 2 Lambda Tasks, Choice; gate, Choice; Pass; Succeed. A Lambda Task is
    // 5 events, a callback Task 6, Choice/Pass/Wait/Succeed 2.
    expect(child?.historyByStateType).toEqual({
      Execution: 2,
      Choice: 2 * 5,
      Pass: 2 * 3,
      Wait: 2 * 2,
      Task: 5 * 4 + 6 * 2,
      Succeed: 2,
    });
    expect(child?.historyEvents).toBe(56);
    expect(child?.stateTransitions).toBe(17);
  });

  it('should mint a fresh token per gate and refuse a closed or unknown one as Step Functions does', async () => {
    const clock = new VirtualClock(START);
    const tokens: string[] = [];
    const { wf } = scripted(clock, (e, getWf) => {
      tokens.push(e.taskToken);
      approveAfter(clock, 5)(e, getWf);
    });

    await wf.start(input);

    expect(new Set(tokens).size).toBe(tokens.length);
    expect(tokens[0]).not.toContain('replaced-by-the-local-runner');
    expect(() => wf.decide(tokens[0] as string, {})).toThrow(TaskTimedOut);
    expect(() => wf.decide('nope', {})).toThrow(InvalidToken);
  });

  it('should accept one decision per token, like SendTaskSuccess', async () => {
    const clock = new VirtualClock(START);
    const errors: unknown[] = [];
    const { wf } = scripted(clock, (e, getWf) => {
      void clock.sleep(5).then(() => {
        const decision = e.kind === 'cutover' ? 'cutover' : 'keep';
        const output = { decision, approver: 'p', approvalId: 'x' };
        getWf().decide(e.taskToken, output);
        try {
          getWf().decide(e.taskToken, { ...output, decision: 'abort' });
        } catch (err) {
          errors.push(err);
        }
      });
    });

    const result = await wf.start(input);

    expect(result.status).toBe('SUCCEEDED');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e instanceof TaskTimedOut)).toBe(true);
  });

  it('should refuse an execution name Step Functions would refuse', async () => {
    const clock = new VirtualClock(START);
    const { wf } = scripted(clock, approveAfter(clock, 1));

    await expect(
      wf.start({ ...input, executionBase: 'x'.repeat(81) }),
    ).rejects.toMatchObject({ name: 'StepFunctions.InvalidNameException' });
  });

  it('should refuse an output over 256 KiB', () => {
    const wf = scripted(new VirtualClock(START), () => undefined).wf;

    expect(() => wf.decide('t', { blob: 'x'.repeat(262_144) })).toThrow(
      InvalidOutput,
    );
  });

  it("should fail a gate with SendTaskFailure's error", async () => {
    const clock = new VirtualClock(START);
    const { wf } = scripted(clock, (e, getWf) => {
      void clock
        .sleep(1)
        .then(() =>
          getWf().fail(e.taskToken, 'InvalidDecisionError', 'no such decision'),
        );
    });

    const result = await wf.start(input);

    expect(result).toMatchObject({ status: 'FAILED' });
    const child = wf.executions().find((e) => e.name === 'm-1-a0');
    expect(child?.status).toBe('FAILED');
  });

  it("should spend the retrier's backoff on the virtual clock", async () => {
    const clock = new VirtualClock(START);
    const { wf, handlers } = scripted(clock, approveAfter(clock, 1), {
      apps: [],
    });
    const calls: number[] = [];
    handlers.preflight = async () => {
      calls.push(elapsed(clock));
      if (calls.length < 3) {
        throw Object.assign(new Error('throttled'), { name: 'TransientError' });
      }
      return { ok: true };
    };

    const result = await wf.start(input);

    expect(result.status).toBe('SUCCEEDED');
    // IntervalSeconds 2, BackoffRate 2, FULL jitter at its mean: 1 s, 2 s.
    expect(calls).toEqual([0, 1, 3]);
  });

  it('should surface a handler error as a Lambda error with a JSON cause', async () => {
    const clock = new VirtualClock(START);
    const { wf, handlers, events } = scripted(clock, approveAfter(clock, 1));
    handlers.preflight = async () => {
      throw Object.assign(new Error('3 checks failed'), {
        name: 'PreflightFailedError',
      });
    };
    let recorded: Event;
    handlers['record-failure'] = async (e: Event) => {
      recorded = e;
      return { error: e.error.Error, cause: 'recorded' };
    };

    const result = await wf.start(input);

    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'PreflightFailedError',
    });
    expect(JSON.parse(recorded.error.Cause)).toEqual({
      errorType: 'PreflightFailedError',
      errorMessage: '3 checks failed',
      trace: [],
    });
    expect(events.some((e) => e.type === 'StateCaught')).toBe(true);
  });

  it('should fail loudly when an execution breaks the history quota', async () => {
    const clock = new VirtualClock(START);
    const { handlers } = scripted(clock, approveAfter(clock, 1));
    const limited = new LocalWorkflow({
      clock,
      handlers,
      maxHistoryEvents: 40,
    });

    const run = limited.start(input);

    await expect(run).rejects.toBeInstanceOf(WorkflowLimitError);
    await expect(run).rejects.toThrow(/m-1: 41 history events \(limit 40\)/);
  });

  it('should fail loudly when a payload breaks the size quota', async () => {
    const clock = new VirtualClock(START);
    const { handlers } = scripted(clock, approveAfter(clock, 1));
    handlers.preflight = async () => ({ blob: 'x'.repeat(300_000) });
    const wf = new LocalWorkflow({ clock, handlers });

    await expect(wf.start(input)).rejects.toThrow(
      /Preflight output carries \d+ bytes \(limit 262144\)/,
    );
  });
});
