/**
 * The sample event of every handler (events/handlers/<name>.json): the events
 * the workflow's Tasks receive are taken from a rehearsal of the sample plan,
 * so the samples are what Step Functions really sends; the three functions
 * that Step Functions does not invoke (the HTTP API, the schedule and the
 * EventBridge rule) have hand-written samples in AWS's own event shapes.
 *
 * Regenerate with `npx tsx test/support/sample-events.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../../cli/rehearsal/scenario.ts';

export const EVENTS_DIR = fileURLToPath(
  new URL('../../events/handlers/', import.meta.url),
);
const SAMPLE_PLAN = fileURLToPath(
  new URL('../../events/start-migration.json', import.meta.url),
);

/** The name of a sample: the phase, and the variant where one handler serves several. */
export function sampleName(phase: string, event: unknown): string {
  const kind = (event as { kind?: unknown } | null)?.kind;
  if (
    phase === 'verify-cutover' &&
    typeof (event as { direction?: unknown })?.direction === 'string'
  ) {
    return `${phase}.${(event as { direction: string }).direction}`;
  }
  if (phase === 'request-approval' && typeof kind === 'string') {
    return `${phase}.${kind}`;
  }
  // A wave's measurement and readiness poll (plans with cutoverWaves).
  if (typeof (event as { wave?: unknown } | null)?.wave === 'string') {
    return `${phase}.wave`;
  }
  return phase;
}

/** The task token of a sample is a placeholder: a real one is never written down. */
function redact(event: unknown): unknown {
  if (event && typeof event === 'object' && 'taskToken' in event) {
    return { ...event, taskToken: '<task token: $$.Task.Token>' };
  }
  return event;
}

/**
 * The first event of every phase (and action) in rehearsals of the sample
 * plan: `rollback` passes every gate kind and both verification directions,
 * `replicator-failed` reaches record-failure, `wave-rollback-subset` the
 * wave's measurement, readiness poll and gates.
 */
export async function observedEvents(): Promise<Map<string, unknown>> {
  const { rehearse } = await import('../../cli/rehearsal/rehearse.ts');
  const seen = new Map<string, unknown>();
  const plan = JSON.parse(readFileSync(SAMPLE_PLAN, 'utf8'));
  for (const scenario of [
    'rollback',
    'replicator-failed',
    'wave-rollback-subset',
  ]) {
    await rehearse({
      plan,
      scenario: loadScenario(scenario),
      observe: ({ phase, event }) => {
        const name = sampleName(phase, event);
        if (!seen.has(name)) seen.set(name, redact(event));
      },
    });
  }
  return seen;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  for (const [name, event] of await observedEvents()) {
    writeFileSync(
      join(EVENTS_DIR, `${name}.json`),
      `${JSON.stringify(event, null, 2)}\n`,
    );
    console.log(`events/handlers/${name}.json`);
  }
}
