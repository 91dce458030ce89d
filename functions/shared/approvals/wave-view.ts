/**
 * The view model of a wave's gate (plans with `cutoverWaves`, see
 * docs/wave-workflow.md): one page and one email for every application of
 * the wave. A pure builder over explicit inputs (the pinned plan, the
 * approval, each application's evidence records and, at the
 * keep-or-rollback gate, its cutover outcome), so whatever opens the gate
 * calls it with what it read. Renderers (./wave-html.ts, ./wave-email.ts)
 * add no facts of their own.
 */
import type { Plan } from '../domain/plan.ts';
import type { EvidenceRecord } from '../domain/types.ts';
import {
  type WaveAppOutcome,
  WaveDecisionsByGate,
  type WaveGateKind,
} from '../wave-contracts.ts';
import {
  type ApplicationView,
  type ClientSettings,
  clientSettings,
  type EvidenceSummary,
  type Recommendation,
  summarizeEvidence,
} from './view.ts';

/** One application of the wave as the gate receives it. */
export interface WaveAppInput {
  name: string;
  /** Its last readiness (wave-cutover) or verify (wave-keep-or-rollback) record. */
  readiness?: EvidenceRecord | null;
  /** The measurement that record used. */
  measurement?: EvidenceRecord | null;
  /** wave-keep-or-rollback: its cutover outcome (from the gate's event). */
  outcome?: WaveAppOutcome;
  /** The error of a `failed` outcome. */
  error?: string;
}

export interface WaveGateInput {
  plan: Plan;
  approval: {
    approvalId: string;
    kind: WaveGateKind;
    wave: string;
    createdAt: string;
    expiresAt: string;
    /** Why the gate is asked again, when it is. */
    note?: string;
  };
  /** Every application of the wave, in wave order. */
  apps: readonly WaveAppInput[];
  /** SASL/IAM bootstrap string of the target; null when it could not be read. */
  targetBrokers: string | null;
  /** Read-only link to the migration's overview page, when known. */
  overviewUrl?: string;
}

/** The form field a wave gate's checkboxes post, one value per checked application. */
export type WaveSubsetField = 'skip' | 'rollback';

/** One application of the wave on its gate's page. */
export interface WaveAppView extends ApplicationView {
  /** Its verdict in one line: `go` ready / verified, `wait` not, `neutral` neither. */
  verdict: Recommendation;
  /** The short word beside its name (`ready`, `not ready`, `verified`, …). */
  status: string;
  outcome?: WaveAppOutcome;
  error?: string;
  /**
   * Its checkbox in the form: `skip` at the cutover gate (every
   * application), `rollback` at the keep-or-rollback gate (applications
   * that moved); `checked` is the recommendation. Absent: no checkbox.
   */
  choice?: { field: WaveSubsetField; checked: boolean };
}

/** Everything a wave gate's page and email say. */
export interface WaveGateView {
  migrationId: string;
  approvalId: string;
  kind: WaveGateKind;
  wave: string;
  question: string;
  recommendation: Recommendation;
  applications: WaveAppView[];
  /** The decisions offered: exactly `WaveDecisionsByGate[kind]`. */
  decisions: readonly WaveDecision[];
  /** The client settings, once for the wave (every application uses the same clusters). */
  clientSettings: ClientSettings[];
  sourceName: string;
  createdAt: string;
  expiresAt: string;
  note?: string;
  overviewUrl?: string;
}

export type WaveDecision = (typeof WaveDecisionsByGate)[WaveGateKind][number];

/** Button labels and hints of the wave gates' decisions. */
export const WAVE_DECISION_LABELS: Record<
  WaveGateKind,
  Partial<
    Record<WaveDecision, { label: string; hint: string; danger: boolean }>
  >
> = {
  'wave-cutover': {
    cutover: {
      label: 'Cut over',
      hint: 'Every application not checked “skip” moves to Amazon MSK.',
      danger: false,
    },
    postpone: {
      label: 'Postpone',
      hint: 'Ask again later; nothing moves.',
      danger: false,
    },
    abort: {
      label: 'Abort',
      hint: 'Stops the whole migration.',
      danger: true,
    },
  },
  'wave-keep-or-rollback': {
    keep: {
      label: 'Keep (roll back the checked)',
      hint: 'The checked applications go back to the source; the others stay on Amazon MSK.',
      danger: false,
    },
  },
};

const MOVED: readonly WaveAppOutcome[] = ['verified', 'unverified', 'failed'];

const OUTCOME_WORDS: Record<WaveAppOutcome, string> = {
  verified: 'verified',
  unverified: 'unverified',
  failed: 'failed',
  skipped: 'skipped',
  'rolled-back': 'rolled back',
};

/** Builds the view of a wave's gate from explicit inputs. */
export function waveGateViewOf(input: WaveGateInput): WaveGateView {
  const { plan, approval } = input;
  const kind = approval.kind;
  const byName = new Map(plan.applications.map((a) => [a.name, a]));
  const applications = input.apps.map((a): WaveAppView => {
    const planned = byName.get(a.name);
    const evidence = summarizeEvidence(
      a.readiness ?? null,
      a.measurement ?? null,
      plan.readiness,
    );
    const base: ApplicationView = {
      name: a.name,
      produces: planned?.produces ?? [],
      consumes: planned?.consumes ?? [],
      consumerGroups: planned?.consumerGroups ?? [],
      evidence,
    };
    return kind === 'wave-cutover'
      ? cutoverApp(base)
      : keepApp(base, a.outcome, a.error);
  });
  const settings = clientSettings({
    kind: kind === 'wave-cutover' ? 'cutover' : 'keep-or-rollback',
    consumerGroups: [],
    sourceBrokers: plan.source.bootstrapBrokers,
    sourceMechanism: `SCRAM-SHA-${plan.source.saslScram.mechanism.slice(3)}`,
    sourcePrivateCa: plan.source.tls.rootCaSecretArn !== undefined,
    targetBrokers: input.targetBrokers,
  }).map((c) => ({
    ...c,
    title: `${c.title} (every application of the wave)`,
    properties: `${c.properties}\n# keep each application's own group.id: the offsets are synced`,
  }));
  return {
    migrationId: plan.migrationId,
    approvalId: approval.approvalId,
    kind,
    wave: approval.wave,
    question:
      kind === 'wave-cutover'
        ? `Move the ${count(applications.length)} of wave ${approval.wave} to Amazon MSK now?`
        : `Keep the applications of wave ${approval.wave} on Amazon MSK, or roll some back?`,
    recommendation:
      kind === 'wave-cutover'
        ? recommendCutover(applications)
        : recommendKeep(applications),
    applications,
    decisions: WaveDecisionsByGate[kind],
    clientSettings: settings,
    sourceName: plan.source.name,
    createdAt: approval.createdAt,
    expiresAt: approval.expiresAt,
    ...(approval.note === undefined ? {} : { note: approval.note }),
    ...(input.overviewUrl === undefined
      ? {}
      : { overviewUrl: input.overviewUrl }),
  };
}

/** `1 application`, `1,000 applications`. */
export function count(n: number): string {
  return n === 1
    ? '1 application'
    : `${n.toLocaleString('en-US')} applications`;
}

function failingRules(e: EvidenceSummary | null): string[] {
  return e?.rules.filter((r) => r.verdict === 'fail').map((r) => r.name) ?? [];
}

/** An application at the cutover gate: its readiness, and skip pre-checked when not ready. */
function cutoverApp(a: ApplicationView): WaveAppView {
  const e = a.evidence;
  let verdict: Recommendation;
  let status: string;
  if (e === null || e.ready === null) {
    status = 'no evidence';
    verdict = {
      tone: 'wait',
      text: 'No readiness evidence was recorded: check it before it moves.',
    };
  } else if (!e.ready) {
    const rules = failingRules(e);
    status = 'not ready';
    verdict = {
      tone: 'wait',
      text: `Not ready: ${rules.length > 0 ? `${rules.join(', ')} failing` : (e.reasons[0] ?? 'see its evidence')}.`,
    };
  } else if (e.parity.some((p) => p.warn)) {
    status = 'ready';
    verdict = {
      tone: 'neutral',
      text: 'Ready, but read its offset parity: it could miss records.',
    };
  } else {
    status = 'ready';
    verdict = {
      tone: 'go',
      text: 'Ready: every rule held, no records would be missed.',
    };
  }
  return {
    ...a,
    status,
    verdict,
    choice: { field: 'skip', checked: verdict.tone === 'wait' },
  };
}

/** An application at the keep-or-rollback gate: its outcome, and rollback pre-checked unless verified. */
function keepApp(
  a: ApplicationView,
  outcome: WaveAppOutcome | undefined,
  error: string | undefined,
): WaveAppView {
  const o = outcome ?? 'unverified';
  const texts: Record<WaveAppOutcome, Recommendation> = {
    verified: { tone: 'go', text: 'Verified on Amazon MSK: keep it.' },
    unverified: {
      tone: 'wait',
      text: 'Not verified in time: roll it back, or keep it only if you know it runs on MSK (say why in the comment).',
    },
    failed: {
      tone: 'wait',
      text: `Its cutover failed${error ? ` (${error})` : ''}: roll it back.`,
    },
    skipped: {
      tone: 'neutral',
      text: 'Skipped at the cutover gate: it stays on the source.',
    },
    'rolled-back': { tone: 'neutral', text: 'Rolled back to the source.' },
  };
  const moved = MOVED.includes(o);
  return {
    ...a,
    status: OUTCOME_WORDS[o],
    verdict: texts[o],
    outcome: o,
    ...(error === undefined ? {} : { error }),
    ...(moved
      ? { choice: { field: 'rollback' as const, checked: o !== 'verified' } }
      : {}),
  };
}

function names(list: readonly WaveAppView[], max = 5): string {
  const shown = list.slice(0, max).map((a) => a.name);
  return list.length > max
    ? `${shown.join(', ')} and ${list.length - max} more`
    : shown.join(', ');
}

function them(list: readonly unknown[]): string {
  return list.length === 1 ? 'it' : 'them';
}

export function recommendCutover(apps: readonly WaveAppView[]): Recommendation {
  const total = apps.length;
  const held = apps.filter((a) => a.verdict.tone === 'wait');
  const warned = apps.filter((a) => a.verdict.tone === 'neutral');
  if (held.length === total) {
    return {
      tone: 'wait',
      text: `None of the ${count(total)} is ready: postpone.`,
    };
  }
  if (held.length > 0) {
    return {
      tone: 'wait',
      text: `${total - held.length} of ${total} ready; ${names(held)} ${held.length === 1 ? 'is' : 'are'} not: postpone, or cut over the others and skip ${them(held)} (pre-checked).`,
    };
  }
  if (warned.length > 0) {
    return {
      tone: 'neutral',
      text: `${total === 1 ? 'The application is' : `All ${total} applications are`} ready, but read the offset parity of ${names(warned)} before cutting over.`,
    };
  }
  return {
    tone: 'go',
    text:
      total === 1
        ? 'The application is ready: cut over.'
        : `All ${total} applications are ready: cut over.`,
  };
}

export function recommendKeep(apps: readonly WaveAppView[]): Recommendation {
  const moved = apps.filter((a) => a.choice !== undefined);
  const verified = moved.filter((a) => a.outcome === 'verified');
  const failed = moved.filter((a) => a.outcome === 'failed');
  const unverified = moved.filter((a) => a.outcome === 'unverified');
  const stayed = apps.length - moved.length;
  const away =
    stayed > 0
      ? ` ${stayed === 1 ? '1 application was' : `${stayed} applications were`} not moved.`
      : '';
  if (moved.length === 0) {
    return {
      tone: 'neutral',
      text: 'No application of the wave moved: keep (nothing to roll back).',
    };
  }
  if (verified.length === moved.length) {
    return {
      tone: 'go',
      text: `${moved.length === 1 ? 'The application that moved was' : `All ${moved.length} applications that moved were`} verified on Amazon MSK: keep.${away}`,
    };
  }
  const bad = [
    failed.length > 0 ? `${names(failed)} failed verification` : '',
    unverified.length > 0
      ? `${names(unverified)} ${unverified.length === 1 ? 'was' : 'were'} not verified in time`
      : '',
  ].filter(Boolean);
  const back = [...failed, ...unverified];
  return {
    tone: 'wait',
    text: `${verified.length} of ${moved.length} verified; ${bad.join('; ')}: roll ${them(back)} back (pre-checked).${away}`,
  };
}
