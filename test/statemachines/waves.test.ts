/**
 * Waves, end to end in aws-local-stepfunctions through the local runner:
 * the parent's CutoverWaves Map, each wave a child execution of
 * app-cutover in mode wave, each application of a wave a child execution
 * in mode verify-cutover or verify-rollback. Every phase is scripted here
 * (validate-plan returns waves, as docs/wave-workflow.md specifies), so
 * what is under test is the ASL: order, gates, subsets, outcomes,
 * concurrency, limits.
 *
 * The wave's own result ({wave, outcomes}) stays inside the wave's
 * execution (the parent keeps only a count); it is asserted by running
 * the wave's states alone in the interpreter, at the end of this file.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import {
  type LambdaHandler,
  LocalWorkflow,
  loadDefinition,
  localStateMachineArn,
  VirtualClock,
  type WorkflowPhase,
} from '../../cli/rehearsal/local-sfn.ts';
import {
  WaveCutoverDecisionSchema,
  WaveKeepOrRollbackDecisionSchema,
  WaveResultSchema,
} from '../../functions/shared/wave-contracts.ts';

// biome-ignore lint/suspicious/noExplicitAny: scripted Lambda events
type Event = any;

const BASE = 'orders-platform-1';

interface Wave {
  name: string;
  apps: string[];
}

interface Script {
  waves: Wave[];
  /** The plan's cutoverConcurrency, or 0 (unset: a whole wave at once). */
  waveConcurrency?: number;
  /** Per wave, the cutover gate's answers in order (the last repeats). */
  cutover?: Record<string, object[]>;
  /** Per wave, the keep-or-rollback gate's answer. */
  keep?: Record<string, object>;
  /** Polls of a wave's readiness before it is ready (default 0). */
  notReadyPolls?: Record<string, number>;
  /** An application's cutover verification: verified after 3 checks by default. */
  verify?: Record<string, 'deadline' | 'throws'>;
  teardownRequiresApproval?: boolean;
}

interface Gate {
  kind: string;
  wave?: string;
  app?: string;
  at: number;
  outcomes?: { app: string; outcome: string; error?: string }[];
}

class ReplicatorFailedError extends Error {
  override name = 'ReplicatorFailedError';
}

async function run(script: Script) {
  const start = new Date('2026-03-02T08:00:00Z');
  const clock = new VirtualClock(start);
  const minutes = () => (clock.now().getTime() - start.getTime()) / 60_000;
  const gates: Gate[] = [];
  const verifications: { app: string; direction: string }[] = [];
  const measured: Event[] = [];
  const polled: Event[] = [];
  const failures: Event[] = [];
  const asked = new Map<string, number>();
  const readinessPolls = new Map<string, number>();
  const checks = new Map<string, number>();
  let mostMoving = 0;
  let workflow: LocalWorkflow;
  const allApps = script.waves.flatMap((w) => w.apps);
  const answer = (event: Event, output: object, afterMinutes = 10) => {
    void clock.sleep(afterMinutes * 60).then(() =>
      clock.run(async () => {
        workflow.decide(event.taskToken, {
          approver: 'ana@example.com',
          approvalId: `a-${gates.length}`,
          ...output,
        });
      }),
    );
  };
  const handlers: Partial<Record<WorkflowPhase, LambdaHandler>> = {
    'validate-plan': async () => ({
      migrationId: 'orders-platform',
      apps: allApps,
      waves: script.waves,
      waveConcurrency: script.waveConcurrency ?? 0,
      concurrency: 1,
      pollIntervalSeconds: 60,
      runningPollSeconds: 60,
      gateTimeoutSeconds: 86_400,
      postponeSeconds: 3600,
      rollbackWindowSeconds: 0,
      teardownRequiresApproval: script.teardownRequiresApproval ?? false,
      teardownAskAgainSeconds: 86_400,
      teardownMaxAsks: 7,
      replicatorNames: [],
    }),
    preflight: async () => ({ ok: true }),
    'probe-source': async () => ({ ok: true }),
    'measure-source-lag': async (event: Event) => {
      measured.push(event);
      return { ok: true, measurementId: `m-${measured.length}` };
    },
    'create-replicators': async () => ({ replicators: [] }),
    'describe-replicators': async (event: Event) => ({
      allRunning: true,
      iteration: event.iteration + 1,
      continueAsNew: false,
    }),
    'poll-readiness': async (event: Event) => {
      polled.push(event);
      const key = event.wave ?? '';
      const done = readinessPolls.get(key) ?? 0;
      readinessPolls.set(key, done + 1);
      const ready = done >= (script.notReadyPolls?.[key] ?? 0);
      return {
        ready,
        reasons: ready ? [] : ['MessageLag 12,400 > 1,000'],
        evidenceId: `e-${polled.length}`,
        iteration: event.iteration + 1,
        continueAsNew: false,
      };
    },
    'request-approval': async (event: Event) => {
      gates.push({
        kind: event.kind,
        wave: event.wave,
        app: event.app,
        at: minutes(),
        ...(event.outcomes ? { outcomes: event.outcomes } : {}),
      });
      if (event.kind === 'wave-cutover') {
        const answers = script.cutover?.[event.wave] ?? [
          { decision: 'cutover' },
        ];
        const n = asked.get(event.wave) ?? 0;
        asked.set(event.wave, n + 1);
        answer(event, answers[Math.min(n, answers.length - 1)] as object);
      } else if (event.kind === 'wave-keep-or-rollback') {
        answer(event, script.keep?.[event.wave] ?? { decision: 'keep' });
      } else if (event.kind === 'teardown') {
        answer(event, { decision: 'teardown' });
      } else {
        throw new Error(`no answer scripted for a ${event.kind} gate`);
      }
      return { approvalId: `a-${gates.length}` };
    },
    'verify-cutover': async (event: Event) => {
      verifications.push({ app: event.app, direction: event.direction });
      const moving = workflow
        .executions()
        .filter((e) => e.status === 'RUNNING' && /-w\d+-a\d+$/.test(e.name));
      mostMoving = Math.max(mostMoving, moving.length);
      const behaviour =
        event.direction === 'toTarget' ? script.verify?.[event.app] : undefined;
      if (behaviour === 'throws') {
        throw new ReplicatorFailedError('the forward replicator FAILED');
      }
      const key = `${event.app}:${event.direction}`;
      const n = (checks.get(key) ?? 0) + 1;
      checks.set(key, n);
      const deadline = new Date(start.getTime() + 86_400_000).toISOString();
      return {
        verified: behaviour !== 'deadline' && n >= 3,
        location: 'split',
        reasons: [],
        iteration: event.iteration + 1,
        continueAsNew: false,
        deadline,
        deadlineReached: behaviour === 'deadline',
      };
    },
    teardown: async () => ({ deleted: [], remaining: [] }),
    'record-failure': async (event: Event) => {
      failures.push(event);
      return { error: event.error.Error, cause: event.error.Cause ?? '' };
    },
  };
  workflow = new LocalWorkflow({ clock, handlers, eventSink: () => {} });
  const result = await workflow.start({
    migrationId: 'orders-platform',
    planRef: { bucket: 'plans', key: 'p.json', versionId: 'v1' },
    executionBase: BASE,
    generation: 0,
  });
  const executions = workflow.executions();
  const named = (pattern: RegExp) =>
    executions.filter((e) => pattern.test(e.name)).map((e) => e.name);
  return {
    result,
    gates,
    verifications,
    measured,
    polled,
    failures,
    executions,
    named,
    mostMoving,
  };
}

const WAVE = { name: 'payments', apps: ['ledger', 'billing', 'invoices'] };
const towards = (v: { app: string; direction: string }[], direction: string) =>
  v.filter((x) => x.direction === direction);

describe('a plan with waves', () => {
  it('cuts a wave of 3 over with one cutover gate and one keep-or-rollback gate', async () => {
    const r = await run({ waves: [WAVE], teardownRequiresApproval: true });

    expect(r.result.status).toBe('SUCCEEDED');
    expect(r.gates.map((g) => [g.kind, g.wave])).toEqual([
      ['wave-cutover', 'payments'],
      ['wave-keep-or-rollback', 'payments'],
      ['teardown', undefined],
    ]);
    // The wave's readiness is one measurement and one poll for the wave.
    expect(r.measured.filter((m) => m.wave === 'payments')).toHaveLength(1);
    expect(r.polled.filter((p) => p.wave === 'payments')).toHaveLength(1);
    expect(r.named(/-w0$/)).toEqual([`${BASE}-w0`]);
    expect(r.named(/-w0-a\d$/)).toEqual([
      `${BASE}-w0-a0`,
      `${BASE}-w0-a1`,
      `${BASE}-w0-a2`,
    ]);
    expect(r.named(/-r-a\d$/)).toEqual([]);
    // No per-application gate, no per-application readiness.
    expect(r.gates.some((g) => g.app !== undefined)).toBe(false);
    expect(r.polled.some((p) => p.app !== undefined)).toBe(false);
    expect(r.gates[1]?.outcomes).toEqual([
      { app: 'ledger', outcome: 'verified' },
      { app: 'billing', outcome: 'verified' },
      { app: 'invoices', outcome: 'verified' },
    ]);
    expect(towards(r.verifications, 'toTarget')).toHaveLength(9);
    expect(towards(r.verifications, 'toSource')).toHaveLength(0);
    expect(r.executions.every((e) => e.status === 'SUCCEEDED')).toBe(true);
  });

  it('skips the applications named at the cutover gate: no child execution, outcome skipped', async () => {
    const r = await run({
      waves: [WAVE],
      cutover: { payments: [{ decision: 'cutover', skip: ['billing'] }] },
    });

    expect(r.result.status).toBe('SUCCEEDED');
    expect(r.named(/-w0-a\d$/)).toEqual([`${BASE}-w0-a0`, `${BASE}-w0-a2`]);
    expect(r.gates[1]?.outcomes).toEqual([
      { app: 'ledger', outcome: 'verified' },
      { app: 'billing', outcome: 'skipped' },
      { app: 'invoices', outcome: 'verified' },
    ]);
    expect(r.verifications.some((v) => v.app === 'billing')).toBe(false);
  });

  it('postpones, checks the readiness again, then cuts over at the same gate asked again', async () => {
    const r = await run({
      waves: [WAVE],
      cutover: {
        payments: [{ decision: 'postpone' }, { decision: 'cutover' }],
      },
    });

    expect(r.result.status).toBe('SUCCEEDED');
    const cutoverGates = r.gates.filter((g) => g.kind === 'wave-cutover');
    expect(cutoverGates).toHaveLength(2);
    // Answered after 10 minutes, then postponed for postponeSeconds (60
    // minutes) and one poll interval before the readiness poll.
    expect(
      (cutoverGates[1]?.at ?? 0) - (cutoverGates[0]?.at ?? 0),
    ).toBeGreaterThanOrEqual(10 + 60 + 1);
    expect(r.polled.filter((p) => p.wave === 'payments')).toHaveLength(2);
    expect(r.named(/-w0-a\d$/)).toHaveLength(3);
  });

  it('waits at the wave readiness loop until every application is ready', async () => {
    const r = await run({ waves: [WAVE], notReadyPolls: { payments: 4 } });

    expect(r.result.status).toBe('SUCCEEDED');
    expect(r.polled.filter((p) => p.wave === 'payments')).toHaveLength(5);
    expect(r.gates[0]?.kind).toBe('wave-cutover');
  });

  it('aborts the migration at the wave gate: no application moves, the failure is recorded once for the wave', async () => {
    const r = await run({
      waves: [WAVE, { name: 'shipping', apps: ['labels'] }],
      cutover: { payments: [{ decision: 'abort' }] },
    });

    expect(r.result.status).toBe('FAILED');
    expect(r.named(/-a\d$/)).toEqual([]);
    // The next wave never reaches its gate. (On AWS a failed iteration
    // fails the Map and no later one starts; the interpreter may start the
    // next before the Map fails, and the runner stops it with its parent.)
    expect(r.gates.map((g) => g.wave)).toEqual(['payments']);
    const next = r.executions.filter((e) => /-w1$/.test(e.name));
    expect(next.every((e) => e.status === 'ABORTED')).toBe(true);
    expect(r.failures[0]).toMatchObject({
      phase: 'wave-cutover',
      wave: 'payments',
      error: { Error: 'MigrationAbortedError' },
    });
    expect(r.failures[0]?.error.Cause).toContain(
      'ana@example.com aborted the migration at the cutover gate of wave payments',
    );
    // The parent records the failed wave (record-failure follows the
    // nested States.TaskFailed to MigrationAbortedError).
    expect(r.failures.map((f) => f.phase)).toEqual([
      'wave-cutover',
      'migration',
    ]);
    expect(r.failures[1]?.error).toMatchObject({ Error: 'States.TaskFailed' });
    expect(r.failures[1]?.error.Cause).toContain('MigrationAbortedError');
  });

  it('keeps the others when one application is not verified by its deadline and another fails', async () => {
    const r = await run({
      waves: [WAVE],
      verify: { billing: 'deadline', invoices: 'throws' },
    });

    expect(r.result.status).toBe('SUCCEEDED');
    const keep = r.gates.find((g) => g.kind === 'wave-keep-or-rollback');
    expect(keep?.outcomes).toEqual([
      { app: 'ledger', outcome: 'verified' },
      { app: 'billing', outcome: 'unverified' },
      { app: 'invoices', outcome: 'failed', error: 'ReplicatorFailedError' },
    ]);
    // No verify-timeout gate of its own: the wave's gate is the next one.
    expect(r.gates.map((g) => g.kind)).toEqual([
      'wave-cutover',
      'wave-keep-or-rollback',
    ]);
    // The failed application recorded its own failure, in its mode.
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatchObject({
      app: 'invoices',
      mode: 'verify-cutover',
      phase: 'app-cutover',
    });
    const byName = new Map(r.executions.map((e) => [e.name, e.status]));
    expect(byName.get(`${BASE}-w0-a2`)).toBe('FAILED');
    expect(byName.get(`${BASE}-w0`)).toBe('SUCCEEDED');
  });

  it('rolls back the subset named at the keep-or-rollback gate, each verified, and keeps the others', async () => {
    const r = await run({
      waves: [WAVE],
      keep: {
        payments: { decision: 'keep', rollback: ['ledger', 'invoices'] },
      },
    });

    expect(r.result.status).toBe('SUCCEEDED');
    expect(r.named(/-w0-r-a\d$/)).toEqual([
      `${BASE}-w0-r-a0`,
      `${BASE}-w0-r-a2`,
    ]);
    expect([
      ...new Set(towards(r.verifications, 'toSource').map((v) => v.app)),
    ]).toEqual(['ledger', 'invoices']);
    expect(r.gates.map((g) => g.kind)).toEqual([
      'wave-cutover',
      'wave-keep-or-rollback',
    ]);
  });

  it('runs the waves in plan order, one at a time', async () => {
    const waves = [
      { name: 'first', apps: ['a', 'b'] },
      { name: 'second', apps: ['c'] },
      { name: 'third', apps: ['d', 'e'] },
    ];
    const r = await run({ waves, teardownRequiresApproval: true });

    expect(r.result.status).toBe('SUCCEEDED');
    expect(r.gates.map((g) => `${g.kind}:${g.wave ?? ''}`)).toEqual([
      'wave-cutover:first',
      'wave-keep-or-rollback:first',
      'wave-cutover:second',
      'wave-keep-or-rollback:second',
      'wave-cutover:third',
      'wave-keep-or-rollback:third',
      'teardown:',
    ]);
    const wavesRun = r.executions.filter((e) => /-w\d$/.test(e.name));
    expect(wavesRun.map((e) => e.name)).toEqual([
      `${BASE}-w0`,
      `${BASE}-w1`,
      `${BASE}-w2`,
    ]);
    for (let i = 1; i < wavesRun.length; i++) {
      const previous = wavesRun[i - 1]?.stoppedAt?.getTime() ?? Infinity;
      expect(wavesRun[i]?.startedAt.getTime()).toBeGreaterThanOrEqual(previous);
    }
  });

  it.each([
    [2, 2],
    [0, 5],
  ])(
    'moves at most cutoverConcurrency %i applications of a wave at once (0: all, %i)',
    async (concurrency, most) => {
      const r = await run({
        waves: [{ name: 'big', apps: ['a', 'b', 'c', 'd', 'e'] }],
        waveConcurrency: concurrency,
      });

      expect(r.result.status).toBe('SUCCEEDED');
      expect(r.mostMoving).toBe(most);
      expect(r.named(/-w0-a\d$/)).toHaveLength(5);
    },
  );

  it('keeps a 1,000-application plan in 20 waves within 41 gates and the quotas', async () => {
    const waves = Array.from({ length: 20 }, (_, w) => ({
      name: `wave-${String(w).padStart(2, '0')}`,
      apps: Array.from(
        { length: 50 },
        (_, i) => `application-${String(w * 50 + i).padStart(4, '0')}`,
      ),
    }));
    const r = await run({
      waves,
      waveConcurrency: 10,
      teardownRequiresApproval: true,
    });

    expect(r.result.status).toBe('SUCCEEDED');
    expect(r.gates).toHaveLength(41);
    const most = (pattern: RegExp) => {
      const runs = r.executions.filter((e) => pattern.test(e.name));
      return {
        events: Math.max(...runs.map((e) => e.historyEvents)),
        bytes: Math.max(...runs.map((e) => e.largestPayloadBytes)),
      };
    };
    const parent = most(new RegExp(`^${BASE}$`));
    const wave = most(/-w\d+$/);
    const app = most(/-a\d+$/);
    // The quotas are enforced by the runner (WorkflowLimitError); these
    // bounds keep the figures of docs/wave-workflow.md honest.
    expect(parent.events).toBeLessThan(1000);
    expect(wave.events).toBeLessThan(2000);
    expect(wave.bytes).toBeLessThan(16 * 1024);
    expect(app.bytes).toBeLessThan(2048);
  });
});

describe('the wave result', () => {
  /**
   * The wave's states alone, in the interpreter: every Task served here
   * by state name, the child executions answered with their outputs (or
   * failed as a failed .sync:2 start fails), waits skipped.
   */
  async function wave(
    decisions: { cutover: object; keep: object },
    children: Record<string, object | Error>,
  ) {
    const definition = loadDefinition('app-cutover');
    // The interpreter reads TimeoutSecondsPath from the Task's effective
    // input (after Parameters), not from its input as AWS does; the local
    // runner moves it for the same reason. The gates here answer at once.
    for (const state of Object.values(definition.States)) {
      delete (state as { TimeoutSecondsPath?: string }).TimeoutSecondsPath;
    }
    const arn = localStateMachineArn('app-cutover');
    const started: { name: string; mode: string }[] = [];
    const child = async (input: Event) => {
      started.push({ name: input.Name, mode: input.Input.mode });
      const answer = children[`${input.Input.mode}:${input.Input.app}`];
      if (answer instanceof Error) throw answer;
      return { Output: answer ?? { app: input.Input.app, outcome: '?' } };
    };
    const sm = new StateMachine(definition, {
      validationOptions: { noValidate: true },
    });
    const execution = sm.run(
      {
        migrationId: 'orders-platform',
        planRef: { bucket: 'plans', key: 'p.json', versionId: 'v1' },
        executionBase: BASE,
        mode: 'wave',
        wave: 'payments',
        waveIndex: 3,
        apps: WAVE.apps,
        concurrency: 0,
        pollIntervalSeconds: 60,
        gateTimeoutSeconds: 86_400,
        postponeSeconds: 3600,
        generation: 0,
      } as never,
      {
        context: {
          Execution: { Id: `${arn}:${BASE}-w3`, Name: `${BASE}-w3` },
          StateMachine: { Id: arn, Name: 'msk-cutover-app-cutover' },
          Task: { Token: 'token' },
        },
        overrides: {
          waitTimeOverrides: { WaitBeforeWaveReadinessPoll: 0 },
          retryIntervalOverrides: {
            CutoverWaveApplication: 0,
            RollbackWaveApplication: 0,
          },
          taskResourceLocalHandlers: {
            MeasureWaveGroups: async () => ({
              Payload: { measurementId: 'm' },
            }),
            PollWaveReadiness: async () => ({
              Payload: { ready: true, iteration: 1, continueAsNew: false },
            }),
            RequestWaveCutoverApproval: async () => decisions.cutover,
            RequestWaveKeepOrRollbackApproval: async () => decisions.keep,
            CutoverWaveApplication: child,
            RollbackWaveApplication: child,
          } as never,
        },
      },
    );
    return { output: (await execution.result) as unknown, started };
  }
  const failedChild = (error: string) =>
    Object.assign(
      new Error(JSON.stringify({ Status: 'FAILED', Error: error })),
      {
        name: 'States.TaskFailed',
      },
    );

  it('says, per application, verified, unverified, skipped, failed (with its error) or rolled back', async () => {
    const cutover = WaveCutoverDecisionSchema.parse({
      decision: 'cutover',
      skip: ['invoices'],
      approver: 'ana@example.com',
      approvalId: 'a-1',
    });
    const keep = WaveKeepOrRollbackDecisionSchema.parse({
      decision: 'keep',
      rollback: ['ledger'],
      approver: 'ana@example.com',
      approvalId: 'a-2',
    });
    const { output, started } = await wave(
      { cutover, keep },
      {
        'verify-cutover:ledger': { app: 'ledger', outcome: 'verified' },
        'verify-cutover:billing': failedChild('ReplicatorFailedError'),
        'verify-rollback:ledger': { app: 'ledger', outcome: 'rolled-back' },
      },
    );

    expect(WaveResultSchema.parse(output)).toEqual({
      wave: 'payments',
      outcomes: [
        { app: 'ledger', outcome: 'rolled-back' },
        { app: 'billing', outcome: 'failed', error: 'ReplicatorFailedError' },
        { app: 'invoices', outcome: 'skipped' },
      ],
    });
    expect(started).toEqual([
      { name: `${BASE}-w3-a0`, mode: 'verify-cutover' },
      { name: `${BASE}-w3-a1`, mode: 'verify-cutover' },
      { name: `${BASE}-w3-r-a0`, mode: 'verify-rollback' },
    ]);
  });

  it('keeps every outcome when the keep decision names no rollback, and names a start that failed outright', async () => {
    const { output } = await wave(
      {
        cutover: { decision: 'cutover', approver: 'p', approvalId: 'a' },
        keep: { decision: 'keep', approver: 'p', approvalId: 'b' },
      },
      {
        'verify-cutover:ledger': { app: 'ledger', outcome: 'verified' },
        'verify-cutover:billing': { app: 'billing', outcome: 'unverified' },
        'verify-cutover:invoices': Object.assign(new Error('denied'), {
          name: 'StepFunctions.AWSStepFunctionsException',
        }),
      },
    );

    expect(output).toEqual({
      wave: 'payments',
      outcomes: [
        { app: 'ledger', outcome: 'verified' },
        { app: 'billing', outcome: 'unverified' },
        {
          app: 'invoices',
          outcome: 'failed',
          error: 'StepFunctions.AWSStepFunctionsException',
        },
      ],
    });
  });
});
