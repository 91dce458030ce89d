/**
 * The parent's inline Map runs at most the plan's `cutoverConcurrency`
 * child executions at once: `MaxConcurrencyPath`
 * ($.validatePlan.result.concurrency) as aws-local-stepfunctions 3 applies
 * it, through the local runner. Every phase is scripted, so the only
 * behaviour under test is the Map's.
 */
import { describe, expect, it } from 'vitest';
import {
  type LambdaHandler,
  LocalWorkflow,
  VirtualClock,
  type WorkflowPhase,
} from '../../cli/rehearsal/local-sfn.ts';

const APPS = ['a0', 'a1', 'a2', 'a3', 'a4'];

async function cutover(concurrency: number) {
  const clock = new VirtualClock(new Date('2026-03-02T08:00:00Z'));
  const gates: string[] = [];
  let mostRunning = 0;
  let workflow: LocalWorkflow;
  // biome-ignore lint/suspicious/noExplicitAny: scripted Lambda events
  type Event = any;
  const handlers: Partial<Record<WorkflowPhase, LambdaHandler>> = {
    'validate-plan': async () => ({
      apps: APPS,
      concurrency,
      pollIntervalSeconds: 60,
      runningPollSeconds: 60,
      gateTimeoutSeconds: 86_400,
      postponeSeconds: 3600,
      rollbackWindowSeconds: 0,
      teardownRequiresApproval: false,
    }),
    preflight: async () => ({ ok: true }),
    'probe-source': async () => ({ ok: true }),
    'measure-source-lag': async () => ({ measurementId: 'm-1' }),
    'create-replicators': async () => ({ created: [] }),
    'describe-replicators': async (event: Event) => ({
      allRunning: true,
      iteration: event.iteration + 1,
      continueAsNew: false,
    }),
    'poll-readiness': async (event: Event) => ({
      ready: true,
      reasons: [],
      iteration: event.iteration + 1,
      continueAsNew: false,
    }),
    'request-approval': async (event: Event) => {
      gates.push(event.app);
      const running = workflow
        .executions()
        .filter((e) => e.machine === 'app-cutover' && e.status === 'RUNNING');
      mostRunning = Math.max(mostRunning, running.length);
      // Each answer takes a different time, so children end out of order.
      const minutes = 10 * (APPS.length - APPS.indexOf(event.app));
      void clock.sleep(minutes * 60).then(() =>
        clock.run(async () => {
          workflow.decide(event.taskToken, {
            decision: 'skip',
            approver: 'ana@example.com',
            approvalId: `a-${event.app}`,
          });
        }),
      );
      return { approvalId: `a-${event.app}` };
    },
    teardown: async () => ({ deleted: [] }),
    'record-failure': async (event: Event) => ({
      error: event.error?.Error ?? 'unknown',
      cause: event.error?.Cause ?? '',
    }),
  };
  workflow = new LocalWorkflow({ clock, handlers, eventSink: () => {} });
  const result = await workflow.start({
    migrationId: 'orders-platform',
    planRef: { bucket: 'plans', key: 'p.json', versionId: 'v1' },
    executionBase: 'orders-platform-1',
    generation: 0,
  });
  const children = workflow
    .executions()
    .filter((e) => e.machine === 'app-cutover');
  return { result, gates, mostRunning, children };
}

describe('CutoverApplications Map', () => {
  it.each([1, 2, 3])('runs at most %i child executions at once', async (n) => {
    const { result, gates, mostRunning, children } = await cutover(n);

    expect(result.status).toBe('SUCCEEDED');
    expect(mostRunning).toBe(n);
    // Children start in plan order as slots free up, one per application.
    expect(gates).toEqual(APPS);
    expect(children.map((c) => c.name)).toEqual(
      APPS.map((_, i) => `orders-platform-1-a${i}`),
    );
    expect(children.every((c) => c.status === 'SUCCEEDED')).toBe(true);
  });
});
