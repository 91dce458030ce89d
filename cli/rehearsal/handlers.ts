/**
 * Handler instrumentation: the real phase handlers, loaded by path and
 * wrapped so that every invocation is counted, observed, summarized on the
 * timeline and, for request-approval, tied to its gate.
 */

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';
import { lambdaContext } from '../../functions/shared/lambda-context.ts';
import {
  PHASES,
  type Phase,
  phaseSpec,
} from '../../functions/shared/phases.ts';
import { ACCOUNT, REGION } from './account.ts';
import type { GateTracker } from './gates.ts';
import type { LambdaHandler, WorkflowPhase } from './local-sfn.ts';
import { WORKFLOW_PHASES } from './local-sfn.ts';
import type { SimulatedAws } from './sim-aws.ts';
import type { SimulatedKafka } from './sim-kafka.ts';
import type { Timeline } from './timeline.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** What one handler invocation cost. */
export interface PhaseInvocation {
  phase: WorkflowPhase;
  event: unknown;
  result: unknown;
  /** `Service.Command` → calls made during the invocation. */
  calls: Record<string, number>;
  /** Metrics requested through GetMetricData during the invocation. */
  metricsRequested: number;
  /** Wall milliseconds the handler took (simulated AWS included). */
  wallMs: number;
}

export type Handler = LambdaHandler;
export type HandlerModule = {
  createHandler: (overrides?: Record<string, unknown>) => Handler;
};

const FUNCTIONS_DIR = new URL('../../functions/', import.meta.url);

/**
 * A phase's handler module, loaded by path so each is wired only when it
 * exists: `undefined` when `<functions>/<phase>/handler.ts` is absent. A
 * module that exists but fails to import throws, naming the file and the
 * import's own error (kept as the cause).
 */
export async function loadHandler(
  phase: string,
  functionsDir: URL = FUNCTIONS_DIR,
): Promise<HandlerModule | undefined> {
  const url = new URL(`${phase}/handler.ts`, functionsDir);
  if (!existsSync(fileURLToPath(url))) return undefined;
  try {
    return (await import(url.href)) as HandlerModule;
  } catch (err) {
    throw new Error(
      `rehearsal: cannot load ${fileURLToPath(url)}: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** Lambda invocations, as the forecast counts them. */
export interface Invocations {
  small: number;
  probe: number;
}

/** What the instrumented handlers count and report into. */
export interface Instruments {
  clock: VirtualClock;
  aws: SimulatedAws;
  timeline: Timeline;
  gates: GateTracker;
  invoked: Invocations;
  /** After each handler invocation: the AWS calls it made (benchmarks). */
  observe?: ((invocation: PhaseInvocation) => void) | undefined;
}

/**
 * Every workflow phase's handler (the real one, or its replacement),
 * instrumented; a phase without a handler module is left out, a module
 * that fails to import fails the rehearsal (`loadHandler`).
 */
export async function wireHandlers(
  kafka: SimulatedKafka,
  replaceHandlers: Partial<Record<WorkflowPhase, Handler>> | undefined,
  ins: Instruments,
  functionsDir: URL = FUNCTIONS_DIR,
): Promise<Partial<Record<WorkflowPhase, Handler>>> {
  const handlers: Partial<Record<WorkflowPhase, Handler>> = {};
  for (const phase of WORKFLOW_PHASES) {
    const replaced = replaceHandlers?.[phase];
    const mod = replaced ? undefined : await loadHandler(phase, functionsDir);
    if (!mod && !replaced) continue;
    const overrides: Record<string, unknown> = { clock: ins.clock };
    if (phase === 'probe-source') overrides.kafka = kafka;
    if (phase === 'measure-source-lag') {
      overrides.kafka = kafka;
      overrides.iamToken = () => async () => 'rehearsal-iam-token';
    }
    const real = replaced ?? (mod as HandlerModule).createHandler(overrides);
    handlers[phase] = instrument(phase, real, ins);
  }
  // request-approval needs the gate before it runs (to match its email).
  const requestApproval = handlers['request-approval'];
  if (requestApproval) {
    handlers['request-approval'] = withGate(requestApproval, ins);
  }
  return handlers;
}

/** Counts, observes and summarizes each invocation of a phase's handler. */
function instrument(
  phase: WorkflowPhase,
  real: Handler,
  ins: Instruments,
): Handler {
  const { aws, timeline } = ins;
  return async (event: never, context: Context) => {
    if (phaseSpec(phase).kafka) ins.invoked.probe += 1;
    else ins.invoked.small += 1;
    const callsBefore = new Map(aws.calls);
    const metricsBefore = aws.metricsRequested;
    const t0 = performance.now();
    try {
      const out = await real(event, context);
      if (ins.observe) {
        const calls: Record<string, number> = {};
        for (const [k, v] of aws.calls) {
          const d = v - (callsBefore.get(k) ?? 0);
          if (d > 0) calls[k] = d;
        }
        ins.observe({
          phase,
          event,
          result: out,
          calls,
          metricsRequested: aws.metricsRequested - metricsBefore,
          wallMs: performance.now() - t0,
        });
      }
      const line = summarize(phase, event, out);
      if (line) timeline.note('phase', line);
      if (phase === 'request-approval') {
        ins.gates.approvalIdOf(
          (event as { taskToken: string }).taskToken,
          (out as { approvalId?: string }).approvalId,
        );
      }
      return out;
    } catch (err) {
      timeline.note(
        'phase',
        `${phase} failed: ${(err as Error).name}: ${(err as Error).message}`,
      );
      throw err;
    }
  };
}

/** request-approval, with its gate recorded first and its email matched. */
function withGate(requestApproval: Handler, ins: Instruments): Handler {
  return async (event: never, context: Context) => {
    const ev = event as {
      taskToken: string;
      kind: string;
      app?: string;
      wave?: string;
    };
    const record = ins.gates.asked(ev);
    const before = ins.aws.emails.length;
    const out = await requestApproval(event, context);
    ins.gates.matchEmail(
      record,
      ins.aws.emails.slice(before),
      (out as { approvalId?: string }).approvalId,
    );
    return out;
  };
}

/** The context a phase's handler gets in the rehearsal. */
export function phaseContext(phase: string): Context {
  const name = `msk-cutover-${phase}`;
  return lambdaContext(name, {
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
    timeoutSeconds: (PHASES as readonly string[]).includes(phase)
      ? (phaseSpec(phase as Phase).timeoutSeconds ?? 60)
      : 60,
  });
}

/** A one-line summary of a phase's result for the timeline. */
function summarize(phase: string, event: unknown, out: unknown): string | null {
  const o = (out ?? {}) as Record<string, unknown>;
  const e = (event ?? {}) as Record<string, unknown>;
  const app =
    typeof e.app === 'string'
      ? ` ${e.app}`
      : typeof e.wave === 'string'
        ? ` wave ${e.wave}`
        : '';
  const first = (x: unknown) =>
    Array.isArray(x) && x.length ? `: ${String(x[0])}` : '';
  switch (phase) {
    case 'validate-plan':
      return `plan valid: ${(o.apps as unknown[] | undefined)?.length ?? 0} applications, ${(o.replicatorNames as unknown[] | undefined)?.length ?? 0} replicators`;
    case 'preflight':
      return `preflight: ${o.passed} passed, ${o.failed} failed, ${o.warnings} warnings`;
    case 'probe-source':
      return `source probed: ${o.passed} passed, ${o.failed} failed, ${o.topicCount} topics`;
    case 'create-replicators':
      return `replicators: ${o.created} created, ${o.adopted} adopted`;
    case 'describe-replicators':
      return o.allRunning
        ? 'replicators RUNNING'
        : `replicators: ${Object.values((o.states ?? {}) as Record<string, string>).join(', ')}`;
    case 'poll-readiness':
      return o.ready
        ? `readiness${app}: ready`
        : `readiness${app}: not ready${first(o.reasons)}`;
    case 'verify-cutover':
      return o.verified
        ? `verified${app}: ${e.direction} (${o.location})`
        : `verifying${app} ${e.direction}: ${o.location}${first(o.reasons)}`;
    case 'teardown':
      return `teardown: deleted ${((o.deleted ?? []) as string[]).join(', ') || 'nothing'}`;
    case 'record-failure':
      return `failure recorded: ${(e.error as { Error?: string } | undefined)?.Error ?? ''}`;
    default:
      return null;
  }
}
