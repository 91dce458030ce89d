/**
 * The view model of a gate: everything the approval page and the email say
 * about it, built from the pinned plan, the approval record, the evidence it
 * was opened on and the target's bootstrap brokers. Renderers (./html.ts,
 * ./email.ts) take a GateView and add no facts of their own.
 */
import type { Plan } from '../domain/plan.ts';
import { replicatorNames } from '../domain/replicator-config.ts';
import { keepReplicatorsSentence } from '../domain/teardown-asks.ts';
import type {
  ApprovalRecord,
  Decision,
  EvidenceRecord,
  GateKind,
  GroupMeasurement,
  GroupSide,
  WaveAppStatus,
} from '../domain/types.ts';
import type { WaveGateKind } from '../wave-contracts.ts';
import {
  type EvidenceView,
  forecastOf,
  formatNumber,
  notesOf,
  parityViews,
  type ReadinessThresholds,
  ruleRows,
  sustainedOf,
  verificationOf,
} from './evidence.ts';

export { formatNumber } from './evidence.ts';

/** Everything the page and the email say about one gate. */
export interface GateView {
  migrationId: string;
  approvalId: string;
  kind: GateKind;
  app?: string;
  /** The application's topics and groups (empty for the teardown gate). */
  produces: string[];
  consumes: string[];
  consumerGroups: string[];
  sourceName: string;
  sourceBrokers: string[];
  /** The source's SASL/SCRAM mechanism (`SCRAM-SHA-512`, …). */
  sourceMechanism: string;
  /** The source's CA is the plan's own (clients may need a truststore). */
  sourcePrivateCa: boolean;
  targetClusterArn: string;
  /** SASL/IAM bootstrap string of the target; null when it could not be read. */
  targetBrokers: string | null;
  /** Replicator names (for the teardown gate's wording). */
  replicators: string[];
  createdAt: string;
  expiresAt: string;
  /** Why the gate is asked again, when it is. */
  note?: string;
  /** Teardown gate: how many times it has been asked before (0 the first time). */
  asked?: number;
  /** The evidence the gate opened on (the application's, or the migration's). */
  evidence: EvidenceSummary | null;
  /**
   * The applications this gate decides, each with its own evidence: one
   * for an application's gate, none for the teardown gate. A gate over
   * several applications lists each of them.
   */
  applications: ApplicationView[];
  /** The answer the evidence points to, and why. */
  recommendation: Recommendation;
  /** The client settings to switch to, per direction this gate can take. */
  clientSettings: ClientSettings[];
  /** Read-only link to the migration's overview page, when known. */
  overviewUrl?: string;
  /** Wave gates: the wave's name. */
  wave?: string;
  /** Wave gates: each application with its readiness or its outcome. */
  waveApps?: WaveAppStatus[];
}

/** One application a gate decides, with its own evidence. */
export interface ApplicationView {
  name: string;
  produces: string[];
  consumes: string[];
  consumerGroups: string[];
  evidence: EvidenceSummary | null;
  /** Wave gates: the wave's name. */
  wave?: string;
  /** Wave gates: each application with its readiness or its outcome. */
  waveApps?: WaveAppStatus[];
}

/** The readiness evidence at the moment the gate opened. */
export type EvidenceSummary = EvidenceView;

export interface Recommendation {
  /** `go`: the evidence supports the gate's main decision; `wait`: it does not; `neutral`: a judgement call. */
  tone: 'go' | 'wait' | 'neutral';
  /** One sentence. */
  text: string;
}

/** A copyable block of client properties for one direction. */
export interface ClientSettings {
  direction: 'cutover' | 'rollback';
  /** E.g. "Cut over: switch the clients to Amazon MSK". */
  title: string;
  /** `key=value` lines (Java properties), comments start with `#`. */
  properties: string;
}

/**
 * Builds the view of a gate from the pinned plan, the approval record, the
 * evidence it was opened on and the target's bootstrap brokers.
 */
export function gateViewOf(
  plan: Plan,
  approval: Pick<
    ApprovalRecord,
    'approvalId' | 'kind' | 'app' | 'createdAt' | 'expiresAt'
  > & { note?: string; asked?: number } & WaveGateFields,
  evidence: EvidenceSummary | null,
  targetBrokers: string | null,
  overviewUrl?: string,
): GateView {
  const app = plan.applications.find((a) => a.name === approval.app);
  const base = {
    migrationId: plan.migrationId,
    approvalId: approval.approvalId,
    kind: approval.kind,
    ...(approval.app === undefined ? {} : { app: approval.app }),
    produces: app?.produces ?? [],
    consumes: app?.consumes ?? [],
    consumerGroups: app?.consumerGroups ?? [],
    sourceName: plan.source.name,
    sourceBrokers: plan.source.bootstrapBrokers,
    sourceMechanism: `SCRAM-SHA-${plan.source.saslScram.mechanism.slice(3)}`,
    sourcePrivateCa: plan.source.tls.rootCaSecretArn !== undefined,
    targetClusterArn: plan.target.mskClusterArn,
    targetBrokers,
    replicators: replicatorNames(plan),
    createdAt: approval.createdAt,
    expiresAt: approval.expiresAt,
    ...(approval.note === undefined ? {} : { note: approval.note }),
    ...(approval.asked === undefined ? {} : { asked: approval.asked }),
    ...(overviewUrl === undefined ? {} : { overviewUrl }),
    evidence,
    applications: app
      ? [
          {
            name: app.name,
            produces: app.produces,
            consumes: app.consumes,
            consumerGroups: app.consumerGroups,
            evidence,
          },
        ]
      : [],
    ...waveViewFields(approval),
  };
  return withDerived(base);
}

/** A view with what follows from its facts: the recommendation and the settings blocks. */
export function withDerived(
  base: Omit<GateView, 'recommendation' | 'clientSettings'>,
): GateView {
  return {
    ...base,
    recommendation: recommend(base),
    clientSettings: clientSettings(base),
  };
}

/**
 * What the evidence points to. Never more than the evidence says: no
 * evidence, or evidence of another kind, is a judgement call.
 */
export function recommend(
  view: Pick<GateView, 'kind' | 'applications' | 'evidence'>,
): Recommendation {
  const evidence =
    view.applications.length > 0
      ? view.applications.map((a) => a.evidence)
      : [view.evidence];
  const missing = evidence.filter((e) => e === null).length;
  const notReady = evidence.filter((e) => e?.ready === false).length;
  const failing = (e: EvidenceSummary | null) =>
    e?.rules.filter((r) => r.verdict === 'fail').map((r) => r.name) ?? [];
  const failingNames = [...new Set(evidence.flatMap(failing))];
  const warned = evidence.some((e) => e?.parity.some((p) => p.warn));
  // Wave gates have their own view (./wave-view.ts); named here so the
  // switch stays exhaustive once they are among the gate kinds.
  switch (view.kind as GateKind | WaveGateKind) {
    case 'cutover':
      if (missing > 0) {
        return {
          tone: 'wait',
          text: 'No readiness evidence was recorded: check the dashboards before cutting over, or postpone.',
        };
      }
      if (notReady > 0) {
        return {
          tone: 'wait',
          text: `Postpone: not ready${failingNames.length > 0 ? ` (${failingNames.join(', ')} failing)` : ''}.`,
        };
      }
      return warned
        ? {
            tone: 'neutral',
            text: 'Ready, but read the offset parity below before cutting over.',
          }
        : {
            tone: 'go',
            text: 'Cut over: every readiness rule held for the sustained window, and no records would be missed.',
          };
    case 'keep-or-rollback':
      if (missing > 0 || evidence.some((e) => e?.verification === null)) {
        return {
          tone: 'neutral',
          text: 'No verification of the move was recorded: check the application before keeping it.',
        };
      }
      return evidence.every((e) => e?.verification?.verified)
        ? {
            tone: 'go',
            text: 'Keep: the move to MSK was verified. Roll back only if the application itself misbehaves.',
          }
        : {
            tone: 'wait',
            text: 'The move was not verified: consider rolling back.',
          };
    case 'verify-timeout':
    case 'rollback-verify-timeout':
      return {
        tone: 'neutral',
        text: 'The checks could not confirm the move in time: decide from what you know of the application.',
      };
    case 'teardown':
      return {
        tone: 'neutral',
        text: 'Delete the replicators only when every application you kept runs on MSK and nothing writes to the source topics.',
      };
    case 'wave-cutover':
    case 'wave-keep-or-rollback':
      return {
        tone: 'neutral',
        text: 'Decide from each application of the wave below.',
      };
  }
}

/**
 * The client settings of each direction this gate can take, as Java
 * properties. MSK's IAM settings are those of the aws-msk-iam-auth library
 * the MSK developer guide documents for IAM access control; the source
 * keeps SASL/SCRAM over TLS, as the plan requires of it.
 */
export function clientSettings(
  view: Pick<
    GateView,
    | 'kind'
    | 'consumerGroups'
    | 'sourceBrokers'
    | 'sourceMechanism'
    | 'sourcePrivateCa'
    | 'targetBrokers'
  >,
): ClientSettings[] {
  const groups =
    view.consumerGroups.length > 0
      ? [
          `# keep the same group.id (${view.consumerGroups.join(', ')}): its offsets are synced`,
        ]
      : [];
  const toMsk: ClientSettings = {
    direction: 'cutover',
    title: 'Cut over: the settings on Amazon MSK',
    properties: [
      view.targetBrokers === null
        ? '# bootstrap.servers: see the MSK console, View client information (IAM)'
        : `bootstrap.servers=${view.targetBrokers}`,
      'security.protocol=SASL_SSL',
      'sasl.mechanism=AWS_MSK_IAM',
      'sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;',
      'sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler',
      ...groups,
    ].join('\n'),
  };
  const toSource: ClientSettings = {
    direction: 'rollback',
    title: 'Roll back: the settings on the source cluster',
    properties: [
      `bootstrap.servers=${view.sourceBrokers.join(',')}`,
      'security.protocol=SASL_SSL',
      `sasl.mechanism=${view.sourceMechanism}`,
      'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="<the application\'s user>" password="<its password>";',
      ...(view.sourcePrivateCa
        ? [
            '# the source uses its own CA: keep the truststore the application used before',
          ]
        : []),
      ...groups,
    ].join('\n'),
  };
  switch (view.kind as GateKind | WaveGateKind) {
    case 'cutover':
    case 'verify-timeout':
    case 'wave-cutover':
      return [toMsk, toSource];
    case 'keep-or-rollback':
    case 'rollback-verify-timeout':
    case 'wave-keep-or-rollback':
      return [toSource, toMsk];
    case 'teardown':
      return [];
  }
}

/** What a wave gate's approval record adds to its view. */
type WaveGateFields = Pick<ApprovalRecord, 'wave' | 'waveApps'>;

function waveViewFields(approval: WaveGateFields): WaveGateFields {
  return {
    ...(approval.wave === undefined ? {} : { wave: approval.wave }),
    ...(approval.waveApps === undefined ? {} : { waveApps: approval.waveApps }),
  };
}

/**
 * One application of a wave in a line: its readiness verdict and first
 * reason at a cutover gate, its outcome at a keep-or-rollback gate.
 */
export function waveAppLine(a: WaveAppStatus): string {
  if (a.outcome !== undefined) {
    const why = a.outcome === 'failed' && a.error ? ` (${a.error})` : '';
    return `${a.app}: ${WAVE_OUTCOME_WORDS[a.outcome]}${why}`;
  }
  const verdict =
    a.ready === undefined ? 'no evidence' : a.ready ? 'READY' : 'NOT READY';
  const first = a.reasons?.[0];
  return `${a.app}: ${verdict}${first ? ` (${first})` : ''}`;
}

const WAVE_OUTCOME_WORDS: Record<
  NonNullable<WaveAppStatus['outcome']>,
  string
> = {
  verified: 'cutover verified',
  unverified:
    'cutover NOT verified in time (keeping records it as moved; say why in the comment)',
  failed: 'FAILED',
  skipped: 'skipped (still on the source)',
  'rolled-back': 'rolled back',
};

/** Button labels, and which decisions change production traffic. */
export const DECISION_LABELS: Record<
  Decision,
  { label: string; hint: string; danger: boolean }
> = {
  cutover: {
    label: 'Cut over now',
    hint: 'The application moves to the MSK cluster.',
    danger: false,
  },
  postpone: {
    label: 'Postpone',
    hint: 'Ask again later; nothing moves.',
    danger: false,
  },
  skip: {
    label: 'Skip this application',
    hint: 'It stays on the source cluster.',
    danger: false,
  },
  abort: {
    label: 'Abort the migration',
    hint: 'Stops the whole migration.',
    danger: true,
  },
  keep: {
    label: 'Keep on MSK',
    hint: 'The application stays on the MSK cluster.',
    danger: false,
  },
  rollback: {
    label: 'Roll back to the source',
    hint: 'The application goes back to the source cluster.',
    danger: true,
  },
  teardown: {
    label: 'Delete the replicators',
    hint: 'Rollback is no longer possible afterwards.',
    danger: true,
  },
  'keep-replicators': {
    label: 'Keep the replicators',
    hint: 'They keep running (and cost money); decide again later.',
    danger: false,
  },
  'keep-waiting': {
    label: 'Keep waiting',
    hint: 'Verification goes on for another deadline period.',
    danger: false,
  },
  'record-moved': {
    label: 'Record as moved',
    hint: 'Trust what you know over the checks; a comment with the reason is required.',
    danger: true,
  },
};

/** The question a gate asks, as a sentence. */
export function gateQuestion(
  view: Pick<GateView, 'kind' | 'app' | 'wave'>,
): string {
  const app = view.app ?? 'the application';
  switch (view.kind) {
    case 'cutover':
      return `Move ${app} to Amazon MSK now?`;
    case 'keep-or-rollback':
      return `Keep ${app} on Amazon MSK, or roll it back?`;
    case 'verify-timeout':
      return `The cutover of ${app} was not verified in time: keep waiting, roll back, or record it as moved?`;
    case 'rollback-verify-timeout':
      return `The rollback of ${app} was not verified in time: keep waiting, or record it as rolled back?`;
    case 'teardown':
      return 'Delete the replicators and end the migration?';
    case 'wave-cutover':
      return `Move the applications of wave ${view.wave ?? ''} to Amazon MSK now (all, or all but those you skip)?`;
    case 'wave-keep-or-rollback':
      return `Keep the applications of wave ${view.wave ?? ''} on Amazon MSK, or roll some of them back?`;
  }
}

/** What the operator must do for this gate, one step per line. */
export function operatorSteps(view: GateView): string[] {
  const target =
    view.targetBrokers ?? '(see the MSK console: View client information)';
  const source = view.sourceBrokers.join(',');
  const groups =
    view.consumerGroups.length > 0 ? view.consumerGroups.join(', ') : 'none';
  const produced = view.produces.length > 0 ? view.produces.join(', ') : 'none';
  switch (view.kind) {
    case 'cutover':
      return [
        `Switch to: stop every instance of ${view.app}, apply the settings on Amazon MSK (bootstrap.servers=${target}, IAM authentication: the block to copy), then start it again. Keep the same group ids (${groups}): their offsets were synced to MSK.`,
        `Verify: after you decide "cut over", the workflow checks that the groups ${groups} are active on MSK and empty on ${view.sourceName}, that the topics it produces (${produced}) receive data on MSK, and that the lag drained. It then asks you to keep or roll back.`,
        `Roll back: at the next gate choose "Roll back", then point ${view.app} at bootstrap.servers=${source} with its SCRAM credentials again. The reverse replicator keeps ${view.sourceName} up to date in the meantime.`,
      ];
    case 'keep-or-rollback':
      return [
        `Keep: nothing to change; ${view.app} stays on ${target}.`,
        `Roll back: choose "Roll back", stop every instance of ${view.app}, set bootstrap.servers=${source} with its SCRAM credentials, and start it again with the same group ids (${groups}).`,
        `Verify: the workflow checks that the groups are active on ${view.sourceName} and empty on MSK before it asks again.`,
      ];
    case 'teardown':
      return [
        `Delete: removes the replicators (${view.replicators.join(', ') || 'of this migration'}). Rollback to ${view.sourceName} is no longer possible afterwards.`,
        'Verify first: every application you kept runs on MSK only, and nothing still produces to the source topics.',
        keepReplicatorsSentence(view.asked ?? 0),
      ];
    case 'verify-timeout':
      return [
        `Why: the checks after the cutover decision did not pass before the deadline (readiness.verifyTimeoutMinutes); the evidence above says what was missing. ${view.app} may still be on ${view.sourceName}, split, or on MSK with a signal the checks cannot see (e.g. an idle producer).`,
        'Keep waiting: the checks go on for another deadline period, then ask again.',
        `Roll back: point ${view.app} at bootstrap.servers=${source} with its SCRAM credentials again (or leave it there if it never moved); the workflow verifies the rollback.`,
        `Record as moved: only if you know ${view.app} runs on MSK (groups ${groups}, topics ${produced}); the ledger records it as on the target with your comment as the reason, and the keep-or-rollback gate follows.`,
      ];
    case 'rollback-verify-timeout':
      return [
        `Why: the checks after the rollback decision did not pass before the deadline (readiness.verifyTimeoutMinutes); the evidence above says what was missing.`,
        'Keep waiting: the checks go on for another deadline period, then ask again.',
        `Record as rolled back: only if you know ${view.app} runs on ${view.sourceName} again (bootstrap.servers=${source}); the ledger records it as rolled back with your comment as the reason, and readiness is checked again before any new cutover.`,
      ];
    case 'wave-cutover':
      return [
        `Switch to: for every application of the wave you do not skip, stop every instance, apply the settings on Amazon MSK (bootstrap.servers=${target}, IAM authentication: the block to copy), then start it again with the same group ids (their offsets were synced to MSK).`,
        `Skip: name applications under "skip" (msk-cutover approve ${view.migrationId} --wave ${view.wave ?? ''} --skip a,b); they stay on ${view.sourceName}.`,
        'Verify: after you decide, the workflow checks each application on its own; one that fails does not hold back the others. The keep-or-rollback gate of the wave follows.',
      ];
    case 'wave-keep-or-rollback':
      return [
        `Keep: nothing to change for the applications you keep; they stay on ${target}.`,
        `Roll back: name applications under "rollback" (msk-cutover approve ${view.migrationId} --wave ${view.wave ?? ''} --rollback a,b), then point each at bootstrap.servers=${source} with its SCRAM credentials again; each rollback is verified.`,
        `A rolled-back application stays on ${view.sourceName}: the teardown gate then asks you to record it as skipped before the replicators go.`,
      ];
  }
}

// ------------------------------------------------------------ evidence

/**
 * Reads the evidence records (shape owned by their phases) defensively:
 * the readiness (or verify) record and the measurement it used.
 *
 * @param thresholds the plan's readiness thresholds, for rules whose
 *   evidence does not carry its limit (a rule that held)
 */
export function summarizeEvidence(
  readiness: EvidenceRecord | null,
  measurement: EvidenceRecord | null,
  thresholds?: ReadinessThresholds,
): EvidenceSummary | null {
  const main = readiness ?? measurement;
  if (!main) return null;
  const data = main.data;
  const rules = readiness ? ruleRows(data, thresholds) : [];
  const figures: { name: string; value: string }[] = [];
  for (const rec of [readiness, measurement]) {
    if (rec) collectFigures(rec.data, '', figures, 0);
  }
  const groups =
    findGroups(measurement?.data) ?? findGroups(readiness?.data) ?? [];
  const messageLag = rules.find((r) => r.rule === 'MessageLag')?.value ?? null;
  return {
    evidenceId: main.evidenceId,
    at: main.at,
    kind: main.kind,
    ready: typeof main.ready === 'boolean' ? main.ready : null,
    reasons: main.reasons.slice(0, 50),
    rules,
    sustained: readiness ? sustainedOf(data) : null,
    forecast: readiness ? forecastOf(data) : null,
    parity: parityViews(
      groups.slice(0, 200),
      measurement?.data.parity,
      messageLag,
    ),
    verification: verificationOf(main.kind, data),
    notes: readiness ? notesOf(data) : [],
    // The numbers shown above are not repeated among the others.
    figures: figures
      .filter(
        (f) =>
          !/^(worst|passed|forecast|window|heldMinutes|sustainedMinutes|waitingSince|failing|queries|verified|direction|location|deadline)\b/.test(
            f.name,
          ),
      )
      .slice(0, 60),
    groups: groups.slice(0, 200),
    messageLag,
  };
}

function collectFigures(
  value: unknown,
  prefix: string,
  out: { name: string; value: string }[],
  depth: number,
): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${k}` : k;
    // References to other records are not figures a person weighs.
    if (/Id$/.test(k)) continue;
    if (typeof v === 'number') {
      out.push({ name, value: formatNumber(v) });
    } else if (typeof v === 'boolean') {
      out.push({ name, value: String(v) });
    } else if (typeof v === 'string' && v.length <= 120) {
      out.push({ name, value: v });
    } else if (v === null) {
      out.push({ name, value: 'no data' });
    } else if (depth < 2 && !Array.isArray(v)) {
      collectFigures(v, name, out, depth + 1);
    }
  }
}

function isSide(v: unknown): v is GroupSide {
  const s = v as GroupSide | null;
  return (
    s !== null &&
    typeof s === 'object' &&
    typeof s.state === 'string' &&
    typeof s.members === 'number'
  );
}

function findGroups(data: unknown): GroupMeasurement[] | null {
  if (!data || typeof data !== 'object') return null;
  for (const key of ['groups', 'measurements']) {
    const list = (data as Record<string, unknown>)[key];
    if (!Array.isArray(list)) continue;
    const groups = list.filter(
      (g): g is GroupMeasurement =>
        typeof g === 'object' &&
        g !== null &&
        typeof (g as GroupMeasurement).group === 'string' &&
        ((g as GroupMeasurement).source === null ||
          isSide((g as GroupMeasurement).source)) &&
        ((g as GroupMeasurement).target === null ||
          isSide((g as GroupMeasurement).target)),
    );
    if (groups.length > 0) return groups;
  }
  return null;
}
