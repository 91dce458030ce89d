/**
 * poll-readiness for a wave (`PollWaveReadiness`): every application of the
 * wave judged on its own, exactly as its own readiness loop would judge it
 * (its rules, its sustained window, its deadline and stall rules, its own
 * evidence record), against the wave's one measurement. The wave is ready
 * when every application is; the result names the ones still waiting.
 */
import {
  LOOP_ITERATIONS_PER_EXECUTION,
  type PollReadinessEvent,
  type PollReadinessResult,
} from '../shared/contracts.ts';
import { ValidationError } from '../shared/domain/errors.ts';
import { loadPlan } from '../shared/load-plan.ts';
import type { WavePollReadinessResult } from '../shared/wave-contracts.ts';
import { type PollReadinessDeps, runPollReadiness } from './poll-readiness.ts';

/** Reasons and waiting applications carried in the result (first ones). */
const MAX_LISTED = 20;
/** Applications polled at once (each poll is a few reads and one write). */
const AT_ONCE = 10;

/**
 * Polls every application of `event.wave`.
 *
 * @throws ValidationError when the plan has no such wave
 * @throws ReadinessTimeoutError, ReadinessStalledError, ReplicatorFailedError
 *   as an application's own poll does (naming the application): the wave's
 *   readiness ends with its first application that gives up
 */
export async function runWavePollReadiness(
  event: PollReadinessEvent & { wave: string },
  deps: PollReadinessDeps,
): Promise<WavePollReadinessResult> {
  if (event.app !== undefined) {
    throw new ValidationError('app and wave: give one or the other');
  }
  const { plan } = await loadPlan(deps.plans, event.planRef);
  const wave = plan.cutoverWaves?.find((w) => w.name === event.wave);
  if (!wave) {
    throw new ValidationError(
      `wave: "${event.wave}" is not a wave of plan ${plan.migrationId}`,
    );
  }
  const { wave: _wave, ...base } = event;
  const polled: { app: string; result: PollReadinessResult }[] = [];
  for (let i = 0; i < wave.applications.length; i += AT_ONCE) {
    const chunk = wave.applications.slice(i, i + AT_ONCE);
    polled.push(
      ...(await Promise.all(
        chunk.map(async (app) => ({
          app,
          result: await runPollReadiness({ ...base, app }, deps),
        })),
      )),
    );
  }
  const waiting = polled.filter((p) => !p.result.ready);
  const ready = waiting.length === 0;
  const reasons = waiting
    .flatMap((p) => p.result.reasons.map((r) => `${p.app}: ${r}`))
    .slice(0, MAX_LISTED);
  const iteration = event.iteration + 1;
  // The result names one evidence record: the first application waiting
  // (or the first of the wave); each application's is in the ledger.
  const shown = waiting[0] ?? polled[0];
  deps.log.info('wave readiness polled', {
    wave: event.wave,
    ready,
    waiting: waiting.length,
  });
  return {
    ready,
    reasons,
    waiting: waiting.slice(0, MAX_LISTED).map((p) => p.app),
    evidenceId: shown?.result.evidenceId ?? '',
    iteration,
    continueAsNew: !ready && iteration >= LOOP_ITERATIONS_PER_EXECUTION,
    poll: {
      at: deps.clock.now().toISOString(),
      replicatorsHealthy: polled.every((p) => p.result.poll.replicatorsHealthy),
    },
  };
}

/** One poll: a wave's when the event names one, else as before. */
export function runAnyPollReadiness(
  event: PollReadinessEvent,
  deps: PollReadinessDeps,
): Promise<PollReadinessResult> {
  const { wave } = event;
  return wave === undefined
    ? runPollReadiness(event, deps)
    : runWavePollReadiness({ ...event, wave }, deps);
}
