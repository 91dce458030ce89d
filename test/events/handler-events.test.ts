import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HttpApiEventSchema } from '../../functions/approval-api/handler.ts';
import { ScheduleEventSchema } from '../../functions/approval-reminders/handler.ts';
import { CleanupEventSchema } from '../../functions/cleanup/cleanup.ts';
import {
  LoopEventSchema,
  MeasureSourceLagEventSchema,
  PhaseEventBaseSchema,
  PollReadinessEventSchema,
  ProbeSourceEventSchema,
  RecordFailureEventSchema,
  RequestApprovalEventSchema,
  VerifyCutoverEventSchema,
} from '../../functions/shared/contracts.ts';
import { EVENTS_DIR, observedEvents } from '../support/sample-events.ts';

/** Each handler's input schema: what its `lazyPhaseHandler` parses. */
const SCHEMAS: Record<
  string,
  { safeParse: (v: unknown) => { success: boolean } }
> = {
  'approval-api': HttpApiEventSchema,
  'approval-reminders': ScheduleEventSchema,
  cleanup: CleanupEventSchema,
  'create-replicators': PhaseEventBaseSchema,
  'describe-replicators': LoopEventSchema,
  'measure-source-lag': MeasureSourceLagEventSchema,
  'poll-readiness': PollReadinessEventSchema,
  preflight: PhaseEventBaseSchema,
  'probe-source': ProbeSourceEventSchema,
  'record-failure': RecordFailureEventSchema,
  'request-approval': RequestApprovalEventSchema,
  teardown: PhaseEventBaseSchema,
  'validate-plan': PhaseEventBaseSchema,
  'verify-cutover': VerifyCutoverEventSchema,
};

const FUNCTIONS_DIR = join(EVENTS_DIR, '../../functions');

function samples(): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const f of readdirSync(EVENTS_DIR).filter((n) => n.endsWith('.json'))) {
    out.set(
      f.replace(/\.json$/, ''),
      JSON.parse(readFileSync(join(EVENTS_DIR, f), 'utf8')),
    );
  }
  return out;
}

/** The keys of an object, recursively (arrays by their first element). */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length > 0 ? [shape(v[0])] : [];
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, shape((v as Record<string, unknown>)[k])]),
    );
  }
  return typeof v;
}

describe('sample events (events/handlers)', () => {
  const all = samples();

  it('should have a sample for every handler', () => {
    const handlers = readdirSync(FUNCTIONS_DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'shared')
      .map((d) => d.name);
    const covered = new Set([...all.keys()].map((n) => n.split('.')[0]));
    expect(handlers.filter((h) => !covered.has(h))).toEqual([]);
    expect(Object.keys(SCHEMAS).sort()).toEqual(handlers.sort());
  });

  it.each([...all.keys()])(
    '%s should parse with its handler schema',
    (name) => {
      const schema = SCHEMAS[name.split('.')[0] as string];
      expect(schema, `no schema for ${name}`).toBeDefined();
      expect(schema?.safeParse(all.get(name)).success).toBe(true);
    },
  );

  describe('against a rehearsal of the sample plan', () => {
    let observed: Map<string, unknown>;
    beforeAll(async () => {
      observed = await observedEvents();
    }, 60_000);

    it('should match what the workflow sends each Task (regenerate: npx tsx test/support/sample-events.ts)', () => {
      expect([...observed.keys()].sort()).toEqual(
        [...all.keys()]
          .filter(
            (n) =>
              !['approval-api', 'approval-reminders', 'cleanup'].includes(n),
          )
          .sort(),
      );
      for (const [name, event] of observed) {
        expect(shape(all.get(name)), name).toEqual(shape(event));
      }
    });
  });
});
