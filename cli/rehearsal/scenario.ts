/**
 * Rehearsal scenarios: `cli/rehearsal/scenarios/<name>.json`, each with the
 * simulator's parameters, the faults it injects, the script of decisions a
 * person makes at the gates, and the outcome the rehearsal must reach.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  DecisionsByGate,
  GateKinds,
} from '../../functions/shared/contracts.ts';

const allDecisions = [
  ...new Set(Object.values(DecisionsByGate).flat()),
] as unknown as [string, ...string[]];

/** One line of the decision script (first unused match wins). */
export const DecisionRuleSchema = z.strictObject({
  gate: z.enum(GateKinds),
  /** Only this application's gate (any application when absent). */
  app: z.string().min(1).optional(),
  /** Only this wave's gate (wave gates; any wave when absent). */
  wave: z.string().min(1).optional(),
  /**
   * Wave gates: the applications named with the decision, `skip` at a
   * wave-cutover gate, `rollback` at a wave-keep-or-rollback gate.
   */
  subset: z.array(z.string().min(1)).optional(),
  /** What the person decides; `none`: nobody answers (the gate times out). */
  decide: z.enum([...allDecisions, 'none']),
  /** Virtual minutes between the email and the decision. @default 10 */
  afterMinutes: z.number().min(0).default(10),
  /** How many gates this rule answers. @default unlimited */
  times: z.number().int().positive().optional(),
  /**
   * Also try what an attacker or a mail client would: `replay` posts the
   * same form again after deciding; `tamper` first posts with a forged
   * signature.
   */
  attack: z.enum(['replay', 'tamper']).optional(),
});
export type DecisionRule = z.output<typeof DecisionRuleSchema>;

const window = {
  fromMinute: z.number().min(0),
  toMinute: z.number().min(0).optional(),
};

export const ScenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/),
  description: z.string().min(1),
  /** Overrides of the simulator's parameters (see docs/rehearsal.md). */
  parameters: z
    .strictObject({
      backlogRecords: z.number().int().min(0).optional(),
      produceRatePerSecond: z.number().min(0).optional(),
      recordSizeBytes: z.number().int().positive().max(10_485_760).optional(),
      replicatorQuotaBytesPerSecond: z.number().positive().optional(),
      /** Deprecated: an extra records/s cap on top of the documented limits. */
      replicatorThroughputPerSecond: z.number().positive().optional(),
      creatingMinutes: z.number().min(0).optional(),
      appMoveMinutes: z.number().min(0).optional(),
      partitionsPerTopic: z.number().int().positive().optional(),
      consumerMembers: z.number().int().positive().optional(),
    })
    .default({}),
  /** Plan fields replaced for this scenario (deep merge into the plan). */
  plan: z.record(z.string(), z.unknown()).default({}),
  faults: z
    .strictObject({
      replicatorFailed: z
        .strictObject({
          nameContains: z.string(),
          code: z.string(),
          message: z.string(),
        })
        .optional(),
      stuckCreating: z.boolean().optional(),
      metricsMissing: z
        .strictObject({ fromMinute: z.number(), toMinute: z.number() })
        .optional(),
      authError: z
        .strictObject({ cluster: z.enum(['source', 'target']), ...window })
        .optional(),
      throttleTime: z
        .strictObject({
          cluster: z.enum(['source', 'target']),
          milliseconds: z.number().positive(),
          ...window,
        })
        .optional(),
      throttling: z
        .strictObject({
          commands: z.array(z.string().regex(/^[A-Za-z0-9]+\.[A-Za-z0-9]+$/)),
          every: z.number().int().positive(),
          times: z.number().int().positive(),
          limit: z.number().int().positive().optional(),
        })
        .optional(),
      interruptAfterCreate: z.number().int().min(1).optional(),
      noSourceAcls: z.boolean().optional(),
      /** The plan's log-delivery destinations do not exist in the account. */
      missingLogDestinations: z.boolean().optional(),
      /**
       * Applications whose owners never move them: their cutover is
       * approved, their clients stay on the source.
       */
      neverMoved: z.array(z.string().min(1)).optional(),
    })
    .default({}),
  decisions: z.array(DecisionRuleSchema).default([]),
  expected: z.strictObject({
    /** The parent execution's final status. */
    outcome: z.enum(['SUCCEEDED', 'FAILED']),
    /** The parent's error name when it fails. */
    error: z.string().optional(),
    /** Final state of named applications. */
    apps: z
      .record(
        z.string(),
        z.enum(['ON_TARGET', 'ON_SOURCE', 'ROLLED_BACK', 'SKIPPED', 'MOVING']),
      )
      .default({}),
    /** Final state of every application not named in `apps`. */
    otherApps: z
      .enum(['ON_TARGET', 'ON_SOURCE', 'ROLLED_BACK', 'SKIPPED', 'MOVING'])
      .optional(),
    /** Replicators still existing at the end. */
    remainingReplicators: z.number().int().min(0),
    /** What the cleanup after a failed execution did. */
    cleanup: z
      .enum([
        'deleted',
        'kept-split',
        'kept-all-on-target',
        'kept-running',
        'nothing-to-do',
      ])
      .optional(),
  }),
});
export type Scenario = z.output<typeof ScenarioSchema>;

const DIR = fileURLToPath(new URL('./scenarios/', import.meta.url));

/** Names of the bundled scenarios, sorted, `happy-path` first. */
export function scenarioNames(): string[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort((a, b) =>
      a === 'happy-path' ? -1 : b === 'happy-path' ? 1 : a.localeCompare(b),
    );
}

/** Loads a bundled scenario by name; throws with the known names otherwise. */
export function loadScenario(name: string): Scenario {
  const names = scenarioNames();
  if (!names.includes(name)) {
    throw new Error(`unknown scenario "${name}"; known: ${names.join(', ')}`);
  }
  const raw: unknown = JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8'));
  const parsed = ScenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(scenario)'}: ${i.message}`)
      .join('; ');
    throw new Error(`scenario ${name}: ${problems}`);
  }
  return parsed.data;
}

/**
 * Deep merge of plain objects (arrays and scalars replace; `null` removes
 * the field, as in a JSON merge patch, RFC 7386: a wave scenario removes
 * the sample's `cutoverOrder`).
 */
export function mergePlan(
  base: unknown,
  patch: Record<string, unknown>,
): unknown {
  if (!isObject(base)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = isObject(v) && isObject(out[k]) ? mergePlan(out[k], v) : v;
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Default teardown decisions before the scripted person gives up. */
export const MAX_TEARDOWN_ASKS = 3;

/**
 * The script's answer for a gate: the first rule for this gate kind (and
 * app) with uses left, else the default: cutover, keep, rollback after a
 * cutover not verified in time, record-moved after such a rollback, and
 * teardown (three times at most, then keep-replicators).
 */
export class DecisionScript {
  private readonly used = new Map<DecisionRule, number>();
  private teardownAsks = 0;

  constructor(private readonly rules: DecisionRule[]) {}

  next(kind: string, app?: string, wave?: string): DecisionRule {
    for (const rule of this.rules) {
      if (rule.gate !== kind) continue;
      if (rule.app !== undefined && rule.app !== app) continue;
      if (rule.wave !== undefined && rule.wave !== wave) continue;
      const n = this.used.get(rule) ?? 0;
      if (rule.times !== undefined && n >= rule.times) continue;
      this.used.set(rule, n + 1);
      return rule;
    }
    // A person asked again and again to tear down (the guard refusing each
    // time) gives up after three tries and keeps the replicators.
    if (kind === 'teardown') this.teardownAsks += 1;
    // A cutover not verified in time is rolled back; a rollback not
    // verified in time is recorded as done (the scripted person checked).
    // A wave is cut over whole, then kept whole.
    const decide =
      kind === 'cutover' || kind === 'wave-cutover'
        ? 'cutover'
        : kind === 'keep-or-rollback' || kind === 'wave-keep-or-rollback'
          ? 'keep'
          : kind === 'verify-timeout'
            ? 'rollback'
            : kind === 'rollback-verify-timeout'
              ? 'record-moved'
              : this.teardownAsks > MAX_TEARDOWN_ASKS
                ? 'keep-replicators'
                : 'teardown';
    return {
      gate: kind as DecisionRule['gate'],
      decide,
      afterMinutes: 10,
    };
  }
}
