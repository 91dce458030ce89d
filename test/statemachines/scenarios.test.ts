/**
 * Both ASL files, end to end, in aws-local-stepfunctions (through the local
 * runner), on a virtual clock. The orchestration phases run their real
 * handlers (validate-plan, create-replicators, describe-replicators,
 * teardown, record-failure) on in-memory ports; the Kafka-side, readiness,
 * approval and verification phases are scripted here so each scenario
 * controls what the clusters and the people do. Scenario names follow
 * MockConfigFile.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IamAuthorizer } from '../../cli/rehearsal/iam.ts';
import {
  type ExecutionAccount,
  type IntegrationRequest,
  type LambdaHandler,
  LOCAL_ACCOUNT,
  LOCAL_EVENT_BUS,
  LOCAL_REGION,
  LocalWorkflow,
  VirtualClock,
  type WorkflowEvent,
  type WorkflowPhase,
} from '../../cli/rehearsal/local-sfn.ts';
import { createHandler as createReplicators } from '../../functions/create-replicators/handler.ts';
import { createHandler as describeReplicators } from '../../functions/describe-replicators/handler.ts';
import { createHandler as recordFailure } from '../../functions/record-failure/handler.ts';
import type {
  AppState,
  GroupMeasurement,
  PlanRef,
} from '../../functions/shared/contracts.ts';
import {
  LOOP_ITERATIONS_PER_EXECUTION,
  type StartMigrationInput,
} from '../../functions/shared/contracts.ts';
import { statesBefore } from '../../functions/shared/domain/app-state.ts';
import { TransientError } from '../../functions/shared/domain/errors.ts';
import { createHandler as teardown } from '../../functions/teardown/handler.ts';
import { createHandler as validatePlan } from '../../functions/validate-plan/handler.ts';
import {
  MemoryLedger,
  MemoryLog,
  MemoryNotifier,
  MemoryPlanStore,
  MemoryReplicators,
} from '../support/memory-ports.ts';

const ID = 'orders-platform';
const APPS = ['order-status', 'orders', 'customer-notification'];
const GROUPS: Record<string, string[]> = {
  'order-status': ['order-status'],
  orders: [],
  'customer-notification': ['customer-notification'],
};
type Where = 'source' | 'target';
type Decision = string | 'never';

interface Script {
  /** Decisions per gate, in order: `cutover:<app>`, `keep-or-rollback:<app>`, `teardown`. */
  decisions?: Record<string, Decision[]>;
  /** Minutes until the replicators are RUNNING. */
  runningAfterMinutes?: number;
  /** A replicator that turns FAILED instead. */
  failReplicator?: { name: string; afterMinutes: number };
  /** Polls before readiness holds (parent and each app). */
  readyAfterPolls?: number;
  /** Errors the first describe-replicators invocations throw. */
  describeFailures?: Error[];
  /** An app whose consumers linger on the source after moving. */
  lingeringOnSource?: string;
  /** Lost StartExecution responses (see LocalWorkflowOptions). */
  lostStartResponses?: Record<string, 'running' | 'closed'>;
  /** PutEvents fails this many times before it succeeds. */
  eventFailures?: number;
  /** An application whose people never carry out its cutover. */
  neverMoves?: string;
  /** verify-cutover's deadline after a decision (the plan's default: 60). */
  verifyTimeoutMinutes?: number;
}

/**
 * IAM: what the state machines' roles do for their integrations (invoke,
 * `.sync` child executions, PutEvents) is authorized against the
 * synthesized stack's policies, as in the rehearsal.
 */
let iam: Promise<IamAuthorizer> | undefined;
function stackIam(): Promise<IamAuthorizer> {
  iam ??= IamAuthorizer.create({
    projectRoot: join(import.meta.dirname, '../..'),
    account: LOCAL_ACCOUNT,
    region: LOCAL_REGION,
    local: { account: LOCAL_ACCOUNT, region: LOCAL_REGION },
    names: { Bus: LOCAL_EVENT_BUS },
  });
  return iam;
}
async function authorize(
  request: IntegrationRequest,
): Promise<string | undefined> {
  const a = await stackIam();
  for (const check of request.checks) {
    const denial = await a.authorize(request.principal, check);
    if (denial !== undefined) return denial;
  }
  return undefined;
}

/** A workflow on in-memory AWS, with scripted people and clusters. */
async function harness(script: Script = {}) {
  const clock = new VirtualClock(new Date('2026-03-02T08:00:00Z'));
  const ledger = new MemoryLedger(clock);
  const replicators = new MemoryReplicators(clock);
  const notifier = new MemoryNotifier();
  const plans = new MemoryPlanStore();
  const log = new MemoryLog();
  const planRef: PlanRef = await plans.put(
    'plans',
    `${ID}.json`,
    readFileSync('events/start-migration.json', 'utf8'),
  );
  const where = new Map<string, Where>(APPS.map((a) => [a, 'source']));
  const published: Record<string, unknown>[] = [];
  const timeline: WorkflowEvent[] = [];
  const gates: string[] = [];
  const notes: string[] = [];
  const decisions = structuredClone(script.decisions ?? {});
  let eventFailures = script.eventFailures ?? 0;
  let createdAt: Date | undefined;
  let describeCalls = 0;
  let measurements = 0;
  const polls = new Map<string, number>();

  const common = { ledger, notifier, clock, log };
  const real = {
    'validate-plan': validatePlan({ ...common, plans }),
    'create-replicators': createReplicators({
      ...common,
      plans,
      replicators,
      serviceExecutionRoleArn:
        'arn:aws:iam::123456789012:role/msk-cutover-replicator',
    }),
    'describe-replicators': describeReplicators({ ...common, replicators }),
    teardown: teardown({ ...common, plans, replicators }),
    'record-failure': recordFailure(common),
  };

  const gateLog: { gate: string; at: number }[] = [];
  const transition = async (app: string, to: AppState) => {
    await ledger.transitionApp(ID, app, statesBefore(to), to);
  };

  // biome-ignore lint/suspicious/noExplicitAny: scripted Lambda events
  type Event = any;
  let workflow: LocalWorkflow;
  const handlers: Partial<Record<WorkflowPhase, LambdaHandler>> = {
    ...(real as unknown as Record<WorkflowPhase, LambdaHandler>),
    'create-replicators': async (event: never, context) => {
      const out = await real['create-replicators'](event, context);
      createdAt ??= clock.now();
      return out;
    },
    'describe-replicators': async (event: never, context) => {
      const failure = script.describeFailures?.[describeCalls++];
      if (failure) throw failure;
      const minutes =
        (clock.now().getTime() - (createdAt?.getTime() ?? 0)) / 60_000;
      if (
        script.failReplicator &&
        minutes >= script.failReplicator.afterMinutes
      ) {
        replicators.setState(script.failReplicator.name, 'FAILED', {
          Code: 'ClusterConnectivityError',
          Message: 'Timed out connecting to kafka-1.onprem.example.com:9096',
        });
      } else if (minutes >= (script.runningAfterMinutes ?? 30)) {
        replicators.setAll('RUNNING');
      }
      return real['describe-replicators'](event, context);
    },
    preflight: async () => ({
      ok: true,
      passed: 12,
      failed: 0,
      warnings: 0,
      failures: [],
    }),
    'probe-source': async () => ({
      ok: true,
      passed: 8,
      failed: 0,
      warnings: 0,
      failures: [],
      clusterId: 'lkc-abc123',
      topicCount: 2,
    }),
    'measure-source-lag': async (event: Event) => {
      const apps: string[] = event.app ? [event.app] : APPS;
      const groups: GroupMeasurement[] = apps.flatMap((app) =>
        (GROUPS[app] ?? []).map((group) => {
          const on = where.get(app);
          const side = (active: boolean) => ({
            state: active ? 'Stable' : 'Empty',
            members: active ? 2 : 0,
            sumOffsetLag: 0,
            byTopic: {},
          });
          const lingers = script.lingeringOnSource === app;
          return {
            group,
            source: side(on === 'source' || lingers),
            target: side(on === 'target'),
          };
        }),
      );
      const measurementId = `m-${++measurements}`;
      await ledger.putEvidence({
        migrationId: ID,
        evidenceId: measurementId,
        at: clock.now().toISOString(),
        kind: 'measure',
        ...(event.app ? { app: event.app } : {}),
        reasons: [],
        data: { groups },
      });
      return {
        measurementId,
        groups: groups.length,
        sourceSumOffsetLag: 0,
        targetSumOffsetLag: 0,
        errors: [],
      };
    },
    'poll-readiness': async (event: Event) => {
      const iteration = event.iteration + 1;
      // Counted across executions: a continuation restarts `iteration`.
      const scope = event.app ?? '';
      polls.set(scope, (polls.get(scope) ?? 0) + 1);
      const ready = (polls.get(scope) ?? 0) >= (script.readyAfterPolls ?? 3);
      return {
        ready,
        reasons: ready
          ? []
          : ['MessageLag 12,400 > 1,000 on the forward replicator'],
        evidenceId: `r-${iteration}`,
        iteration,
        continueAsNew: !ready && iteration >= LOOP_ITERATIONS_PER_EXECUTION,
        poll: { at: clock.now().toISOString(), replicatorsHealthy: true },
      };
    },
    'verify-cutover': async (event: Event) => {
      const want: Where = event.direction === 'toTarget' ? 'target' : 'source';
      const verified = where.get(event.app) === want;
      // As the function does: the first check sets the deadline, which the
      // loop carries from then on.
      const deadline =
        event.deadline ??
        new Date(
          clock.now().getTime() + (script.verifyTimeoutMinutes ?? 60) * 60_000,
        ).toISOString();
      const deadlineReached =
        !verified && clock.now().getTime() >= Date.parse(deadline);
      const iteration = event.iteration + 1;
      if (verified) {
        await transition(
          event.app,
          want === 'target' ? 'ON_TARGET' : 'ROLLED_BACK',
        );
      }
      return {
        verified,
        location: where.get(event.app),
        reasons: verified ? [] : [`not yet on the ${want}`],
        iteration,
        continueAsNew:
          !verified &&
          !deadlineReached &&
          iteration >= LOOP_ITERATIONS_PER_EXECUTION,
        deadline,
        deadlineReached,
      };
    },
    'request-approval': async (event: Event) => {
      const gate = event.app ? `${event.kind}:${event.app}` : event.kind;
      gates.push(gate);
      gateLog.push({ gate, at: clock.now().getTime() });
      if (event.note) notes.push(event.note);
      const queue = decisions[gate];
      const defaults: Record<string, string> = {
        cutover: 'cutover',
        'keep-or-rollback': 'keep',
        teardown: 'teardown',
      };
      const decision = queue?.shift() ?? defaults[event.kind] ?? 'never';
      const token = event.taskToken as string;
      if (decision !== 'never') {
        // A person answers ten minutes later, through the approval page.
        void clock.sleep(600).then(() =>
          clock.run(async () => {
            if (event.kind === 'cutover' && decision === 'cutover') {
              await transition(event.app, 'CUTOVER_APPROVED');
              if (script.neverMoves !== event.app) {
                where.set(event.app, 'target');
              }
            } else if (event.kind === 'cutover' && decision === 'skip') {
              await transition(event.app, 'SKIPPED');
            } else if (decision === 'keep') {
              await transition(event.app, 'KEPT_ON_TARGET');
            } else if (decision === 'rollback') {
              await transition(event.app, 'ROLLBACK_APPROVED');
              where.set(event.app, 'source');
            }
            workflow.decide(token, {
              decision,
              approver: 'ana@example.com',
              approvalId: `a-${gates.length}`,
            });
          }),
        );
      }
      return { approvalId: `a-${gates.length}` };
    },
  };

  workflow = new LocalWorkflow({
    clock,
    handlers,
    eventSink: (entries) => {
      if (eventFailures > 0) {
        eventFailures -= 1;
        throw Object.assign(new Error('EventBridge is unavailable'), {
          name: 'EventBridge.InternalException',
        });
      }
      published.push(...entries);
    },
    ...(script.lostStartResponses
      ? { lostStartResponses: script.lostStartResponses }
      : {}),
    onEvent: (e) => timeline.push(e),
    authorize,
  });
  const input: StartMigrationInput = {
    migrationId: ID,
    planRef,
    executionBase: `${ID}-1`,
    generation: 0,
  };
  return {
    clock,
    gateLog,
    ledger,
    replicators,
    notifier,
    published,
    timeline,
    gates,
    notes,
    workflow,
    start: () => workflow.start(input),
    account: (name: string) =>
      workflow.executions().find((e) => e.name === name) as ExecutionAccount,
  };
}

function expectWithinLimits(executions: ExecutionAccount[]) {
  for (const e of executions) {
    expect(e.historyEvents, e.name).toBeLessThan(25_000);
    expect(e.largestPayloadBytes, e.name).toBeLessThan(262_144);
  }
}

describe('workflow scenarios', () => {
  beforeEach(() => {
    vi.stubEnv('LEDGER_TABLE', 'msk-cutover-ledger');
    vi.stubEnv('TOPIC_ARN', 'arn:aws:sns:us-east-1:123456789012:msk-cutover');
    vi.stubEnv('EVENT_BUS_NAME', 'msk-cutover');
    vi.stubEnv(
      'SERVICE_EXECUTION_ROLE_ARN',
      'arn:aws:iam::123456789012:role/r',
    );
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    // No scenario asks for an integration its state machine's role lacks.
    expect((await stackIam()).denied).toEqual([]);
  });

  it('HappyPath: every app cut over and kept, replicators torn down, completion published', async () => {
    const h = await harness();

    const result = await h.start();

    expect(result).toMatchObject({ status: 'SUCCEEDED' });
    expect(h.workflow.executions().map((e) => e.name)).toEqual([
      'orders-platform-1',
      'orders-platform-1-a0',
      'orders-platform-1-a1',
      'orders-platform-1-a2',
    ]);
    expect((await h.ledger.listApps(ID)).map((a) => [a.app, a.state])).toEqual(
      APPS.map((a) => [a, 'KEPT_ON_TARGET']),
    );
    expect((await h.ledger.getMigration(ID))?.status).toBe('TORN_DOWN');
    expect(h.replicators.byName.size).toBe(0);
    expect(h.published).toEqual([
      expect.objectContaining({
        Source: 'msk-cutover',
        DetailType: 'Migration Completed',
        EventBusName: 'msk-cutover-local',
      }),
    ]);
    expect(JSON.parse(String(h.published[0]?.Detail))).toMatchObject({
      migrationId: ID,
      applications: 3,
    });
    expect(h.gates).toEqual([
      'cutover:order-status',
      'keep-or-rollback:order-status',
      'cutover:orders',
      'keep-or-rollback:orders',
      'cutover:customer-notification',
      'keep-or-rollback:customer-notification',
      'teardown',
    ]);
    // Waits took virtual time only: 30 min RUNNING, readiness, the gates,
    // and the 24-hour rollback window.
    expect(
      h.clock.now().getTime() - Date.parse('2026-03-02T08:00:00Z'),
    ).toBeGreaterThan(24 * 3600_000);
    expectWithinLimits(h.workflow.executions());
    const parent = h.account('orders-platform-1');
    expect(parent.historyByStateType.Map).toBe(2 + 2 * 3 + 2);
    expect(parent.historyByStateType.Execution).toBe(2);
  });

  it('RollbackThenCutover: a rolled-back app returns to readiness and is cut over again', async () => {
    const h = await harness({
      decisions: { 'keep-or-rollback:orders': ['rollback', 'keep'] },
    });

    const result = await h.start();

    expect(result.status).toBe('SUCCEEDED');
    expect(h.gates.filter((g) => g.endsWith(':orders'))).toEqual([
      'cutover:orders',
      'keep-or-rollback:orders',
      'cutover:orders',
      'keep-or-rollback:orders',
    ]);
    const child = h.timeline
      .filter(
        (e) =>
          e.type === 'StateEntered' && e.execution === 'orders-platform-1-a1',
      )
      .map((e) => (e as { state: string }).state);
    expect(child).toContain('VerifyRollback');
    expect((await h.ledger.getApp(ID, 'orders'))?.state).toBe('KEPT_ON_TARGET');
  });

  it('PostponeAndSkip: a postponed app is asked again later, a skipped one stays on the source', async () => {
    const h = await harness({
      decisions: {
        'cutover:orders': ['postpone', 'cutover'],
        'cutover:customer-notification': ['skip'],
      },
    });

    const result = await h.start();

    expect(result.status).toBe('SUCCEEDED');
    expect(h.gates.filter((g) => g === 'cutover:orders')).toHaveLength(2);
    const postponed = h.timeline.filter(
      (e) =>
        e.type === 'StateEntered' &&
        (e as { state: string }).state === 'WaitAfterPostpone',
    );
    expect(postponed).toHaveLength(1);
    expect((await h.ledger.getApp(ID, 'customer-notification'))?.state).toBe(
      'SKIPPED',
    );
    const skipped = h.timeline.find(
      (e) =>
        e.type === 'StateEntered' &&
        e.execution === 'orders-platform-1-a2' &&
        (e as { state: string }).state === 'SetSkippedOutcome',
    );
    expect(skipped).toBeDefined();
    expect(h.replicators.byName.size).toBe(0);
  });

  it('ReplicatorFailed: a FAILED replicator fails the migration with its StateInfo and starts no cutover', async () => {
    const h = await harness({
      failReplicator: {
        name: 'msk-cutover-orders-platform-rev',
        afterMinutes: 20,
      },
    });

    const result = await h.start();

    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'ReplicatorFailedError',
    });
    expect(result.cause).toContain('ClusterConnectivityError');
    expect(h.workflow.executions()).toHaveLength(1);
    expect((await h.ledger.getMigration(ID))?.status).toBe('FAILED');
    const [failed] = h.notifier.ofType('Migration Failed');
    expect(failed?.body).toContain(
      'msk-cutover-orders-platform-rev is FAILED: ClusterConnectivityError',
    );
    expect(failed?.body).toMatch(/it will delete the replicators/);
  });

  it('GateTimeout: an unanswered cutover gate times out on the virtual clock and fails the migration', async () => {
    const h = await harness({
      decisions: { 'cutover:order-status': ['never'] },
    });
    const wallStart = Date.now();

    const result = await h.start();

    expect(result).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    const child = h.workflow.executions()[1];
    expect(child).toMatchObject({
      name: 'orders-platform-1-a0',
      status: 'FAILED',
    });
    expect(h.timeline.find((e) => e.type === 'GateClosed')).toMatchObject({
      outcome: 'timed-out',
      state: 'RequestCutoverApproval',
    });
    expect(
      h.clock.now().getTime() - Date.parse('2026-03-02T08:00:00Z'),
    ).toBeGreaterThanOrEqual(72 * 3600_000);
    expect(Date.now() - wallStart).toBeLessThan(60_000);
    expect((await h.ledger.getMigration(ID))?.status).toBe('FAILED');
    expect(h.notifier.ofType('Migration Failed')).toHaveLength(1);
    expect(h.notifier.ofType('Migration Failed')[0]?.body).toContain(
      'What failed: States.Timeout',
    );
  });

  it('AbortedAtGate: abort at a cutover gate records ABORTED and ends every execution', async () => {
    const h = await harness({ decisions: { 'cutover:orders': ['abort'] } });

    const result = await h.start();

    // The parent reports the root error, not the Map's States.TaskFailed.
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'MigrationAbortedError',
      cause:
        'ana@example.com aborted the migration at the cutover gate of orders',
    });
    const child = h.timeline.find(
      (e) =>
        e.type === 'ExecutionFailed' && e.execution === 'orders-platform-1-a1',
    );
    expect(child).toMatchObject({ error: 'MigrationAbortedError' });
    expect((await h.ledger.getMigration(ID))?.status).toBe('ABORTED');
    expect(h.notifier.ofType('Migration Aborted')).toHaveLength(1);
    expect(h.notifier.ofType('Migration Failed')).toHaveLength(0);
    expect(h.notifier.ofType('Migration Aborted')[0]?.body).toContain(
      'On the target: order-status (KEPT_ON_TARGET)',
    );
    // order-status is on the target and the others on the source.
    expect(h.replicators.byName.size).toBe(2);
    expect(h.workflow.executions().every((e) => e.status !== 'RUNNING')).toBe(
      true,
    );
  });

  it("TeardownRefused: the guard's reason goes to the gate, which is asked again", async () => {
    const h = await harness({
      lingeringOnSource: 'customer-notification',
      // Refused, then kept each time the workflow asks again (7 times).
      decisions: {
        teardown: ['teardown', ...Array(7).fill('keep-replicators')],
      },
    });

    const result = await h.start();

    expect(result.status).toBe('SUCCEEDED');
    expect(h.gates.filter((g) => g === 'teardown')).toHaveLength(8);
    expect(h.notes).toEqual([
      expect.stringMatching(
        /^teardown refused: .*customer-notification: group customer-notification has 2 member\(s\) on the source/,
      ),
      ...[1, 2, 3, 4, 5, 6].map(
        (n) => `Asked again: the replicators were kept ${n} time(s) so far.`,
      ),
    ]);
    expect(h.replicators.byName.size).toBe(2);
    expect(h.published.map((e) => e.DetailType)).toEqual([
      'Replicators Kept',
      'Migration Completed',
    ]);
  });

  it('RetryOnTransientError: a throttled phase is retried by the standard retrier', async () => {
    const h = await harness({
      describeFailures: [
        new TransientError('DescribeReplicator: throttled'),
        Object.assign(new Error('Rate exceeded'), {
          name: 'Lambda.TooManyRequestsException',
        }),
      ],
    });

    const result = await h.start();

    expect(result.status).toBe('SUCCEEDED');
    const retried = h.timeline.filter(
      (e) => e.type === 'StateRetried' && e.execution === 'orders-platform-1',
    );
    expect(retried.map((e) => (e as { state: string }).state)).toEqual([
      'DescribeReplicators',
      'DescribeReplicators',
    ]);
    expect(h.account('orders-platform-1').stateTransitions).toBeGreaterThan(0);
  });

  it('ContinueAsNew: a long readiness wait continues in deterministically named executions', async () => {
    const h = await harness({
      readyAfterPolls: LOOP_ITERATIONS_PER_EXECUTION + 20,
    });

    const result = await h.start();

    expect(result.status).toBe('SUCCEEDED');
    const names = h.workflow.executions().map((e) => e.name);
    expect(names).toContain('orders-platform-1-c1');
    // The cutover Map runs in the continuation, under the base name; each
    // application's own readiness wait continues the same way.
    expect(names).toContain('orders-platform-1-a0');
    expect(names).toContain('orders-platform-1-a0-c1');
    expect(h.account('orders-platform-1-a0-c1').parent).toBe(
      'orders-platform-1-a0',
    );
    expect(h.account('orders-platform-1-c1').parent).toBe('orders-platform-1');
    expectWithinLimits(h.workflow.executions());
  });

  it('VerifyTimeout: a cutover never carried out asks a person at its deadline, which a continuation keeps', async () => {
    const h = await harness({
      neverMoves: 'orders',
      // Past the 100 polls (500 minutes at 300 s) of one execution.
      verifyTimeoutMinutes: 720,
      decisions: {
        'cutover:orders': ['cutover', 'skip'],
        'verify-timeout:orders': ['rollback'],
      },
    });

    const result = await h.start();

    expect(result.status).toBe('SUCCEEDED');
    expect(h.gates).toContain('verify-timeout:orders');
    const names = h.workflow.executions().map((e) => e.name);
    expect(names).toContain('orders-platform-1-a1-c1');
    // The deadline counted from the first check after the decision, not
    // from the continuation's start.
    const at = (gate: string) =>
      h.gateLog.find((g) => g.gate === gate)?.at ?? 0;
    const decided = at('cutover:orders') + 10 * 60_000;
    const waited = at('verify-timeout:orders') - decided;
    expect(waited).toBeGreaterThanOrEqual(720 * 60_000);
    expect(waited).toBeLessThanOrEqual((720 + 2 * 5) * 60_000);
    // Rolled back (verified: it never left), asked again, skipped.
    expect(
      (await h.ledger.listApps(ID)).find((a) => a.app === 'orders')?.state,
    ).toBe('SKIPPED');
    expectWithinLimits(h.workflow.executions());
  });

  it.each([
    ['orders-platform-1-a0', 'running'],
    ['orders-platform-1-a1', 'closed'],
  ] as const)(
    'RetriedStart: a lost StartExecution response of %s (%s) is retried and the execution adopted, never started twice',
    async (name, lost) => {
      const h = await harness({ lostStartResponses: { [name]: lost } });

      const result = await h.start();

      expect(result.status).toBe('SUCCEEDED');
      const names = h.workflow.executions().map((e) => e.name);
      expect(names.filter((n) => n === name)).toHaveLength(1);
      expect(names).toHaveLength(4);
      expect((await h.ledger.listApps(ID)).map((a) => a.state)).toEqual(
        APPS.map(() => 'KEPT_ON_TARGET'),
      );
      const entered = (state: string) =>
        h.timeline.filter(
          (e) =>
            e.type === 'StateEntered' &&
            (e as { state: string }).state === state,
        );
      // A running child is joined by the retried start itself; a closed one
      // answers ExecutionAlreadyExists and is adopted by DescribeExecution.
      expect(entered('DescribeCutoverApplication')).toHaveLength(
        lost === 'closed' ? 1 : 0,
      );
      expect(entered('RecordFailure')).toHaveLength(0);
    },
  );

  it('RetriedContinuation: a continuation whose start response was lost after it closed is adopted', async () => {
    const h = await harness({
      readyAfterPolls: LOOP_ITERATIONS_PER_EXECUTION + 20,
      lostStartResponses: { 'orders-platform-1-c1': 'closed' },
    });

    const result = await h.start();

    expect(result.status).toBe('SUCCEEDED');
    const names = h.workflow.executions().map((e) => e.name);
    expect(names.filter((n) => n === 'orders-platform-1-c1')).toHaveLength(1);
    // The parent returns what the continuation returned.
    const continuation = h.workflow
      .executions()
      .find((e) => e.name === 'orders-platform-1-c1');
    expect(continuation?.status).toBe('SUCCEEDED');
    expect(
      h.timeline.filter(
        (e) =>
          e.type === 'StateEntered' &&
          e.execution === 'orders-platform-1' &&
          (e as { state: string }).state === 'ReadContinueAsNewExecutionOutput',
      ),
    ).toHaveLength(1);
  });

  it.each([
    [2, 'retried'],
    [100, 'given up'],
  ])(
    'CompletionEventFails: a PutEvents failing %i times after the teardown is %s, and the migration still succeeds without cleanup',
    async (failures) => {
      const h = await harness({ eventFailures: failures });

      const result = await h.start();

      expect(result.status).toBe('SUCCEEDED');
      expect((await h.ledger.getMigration(ID))?.status).toBe('TORN_DOWN');
      const recorded = h.timeline.filter(
        (e) =>
          e.type === 'StateEntered' &&
          (e as { state: string }).state === 'RecordFailure',
      );
      expect(recorded).toHaveLength(0);
      if (failures < 6) {
        expect(h.published).toHaveLength(1);
        expect(result.output).not.toHaveProperty('completionEvent');
      } else {
        expect(h.published).toHaveLength(0);
        expect(result.output).toMatchObject({
          completionEvent: {
            warning: expect.stringContaining('could not be published'),
            error: { Error: 'EventBridge.InternalException' },
          },
        });
      }
    },
  );
});
