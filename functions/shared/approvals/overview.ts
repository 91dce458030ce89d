/**
 * The view model of a whole migration, as `msk-cutover status` prints it
 * and the overview page shows it: each application's state and where its
 * clients are, the open gates with their deadlines, the readiness wait
 * with its forecast, the replicators and the last evidence. Read from the
 * ledger only; it decides nothing.
 */
import type { ReplicatorRef } from '../contracts.ts';
import type { Plan } from '../domain/plan.ts';
import type { ApprovalRecord, AppState } from '../domain/types.ts';
import type { AppRecord, Ledger, MigrationRecord } from '../ports.ts';
import { gateOpenedAt } from './gate.ts';

/** An open gate. */
export interface GateStatus {
  approvalId: string;
  kind: ApprovalRecord['kind'];
  app: string | null;
  /** A wave gate's wave (null or absent: not a wave gate). */
  wave?: string | null;
  openedAt: string;
  /** `valid` until expiresAt, or `expired` (a reminder brings a new link). */
  link: 'valid' | 'expired';
  expiresAt: string;
  remindedAt: string | null;
}

/** The migration-wide readiness wait. */
export interface ReadinessStatus {
  waitingSince: string;
  lastPollAt: string;
  readySince: string | null;
  forecast: string | null;
  stalledSince: string | null;
  stallNotifiedAt: string | null;
}

export interface DecisionStatus {
  kind: ApprovalRecord['kind'];
  app: string | null;
  wave?: string | null;
  /** A wave gate's subset (skipped or rolled back applications). */
  subset?: string[];
  decision: string;
  approver: string;
  decidedAt: string;
}

/** What `status` reads from the ledger. */
export interface LedgerStatus {
  migration: MigrationRecord;
  apps: (Pick<AppRecord, 'app' | 'order' | 'state' | 'updatedAt'> & {
    /** Its wave, in a plan with `cutoverWaves`. */
    wave?: string;
  })[];
  openGates: GateStatus[];
  recentDecisions: DecisionStatus[];
  readiness: ReadinessStatus | null;
}

export type StatusLedger = Pick<
  Ledger,
  'getMigration' | 'listApps' | 'listApprovals' | 'getReadinessTracker'
>;

/**
 * Each application's wave: from the plan's `cutoverWaves` when given, else
 * from the wave gates recorded so far (each lists its applications).
 */
export function wavesOfApps(
  approvals: readonly ApprovalRecord[],
  plan?: Pick<Plan, 'cutoverWaves'> | null,
): Map<string, string> {
  const out = new Map<string, string>();
  if (plan) {
    for (const w of plan.cutoverWaves ?? []) {
      for (const app of w.applications) out.set(app, w.name);
    }
    return out;
  }
  for (const a of approvals) {
    if (a.wave === undefined) continue;
    for (const w of a.waveApps ?? []) out.set(w.app, a.wave);
  }
  return out;
}

/**
 * The migration's status from the ledger, or null when the ledger has no
 * such migration. `planOf` reads the migration's pinned plan (null when
 * unreadable), whose waves name each application's.
 */
export async function ledgerStatus(
  ledger: StatusLedger,
  migrationId: string,
  now: Date,
  planOf?: (
    migration: MigrationRecord,
  ) => Promise<Pick<Plan, 'cutoverWaves'> | null>,
): Promise<(LedgerStatus & { approvals: ApprovalRecord[] }) | null> {
  const migration = await ledger.getMigration(migrationId);
  if (!migration) return null;
  const [apps, approvals, tracker, plan] = await Promise.all([
    ledger.listApps(migrationId),
    ledger.listApprovals(migrationId),
    ledger.getReadinessTracker(migrationId),
    planOf ? planOf(migration) : null,
  ]);
  const at = now.toISOString();
  const waveOf = wavesOfApps(approvals, plan);
  return {
    migration,
    approvals,
    apps: apps
      .sort((a, b) => a.order - b.order)
      .map(({ app, order, state, updatedAt }) => {
        const wave = waveOf.get(app);
        return {
          app,
          order,
          state,
          updatedAt,
          ...(wave === undefined ? {} : { wave }),
        };
      }),
    openGates: approvals
      .filter((a) => a.status === 'OPEN')
      .map((a) => ({
        approvalId: a.approvalId,
        kind: a.kind,
        app: a.app ?? null,
        ...(a.wave === undefined ? {} : { wave: a.wave }),
        openedAt: a.createdAt,
        link: a.expiresAt > at ? ('valid' as const) : ('expired' as const),
        expiresAt: a.expiresAt,
        remindedAt: a.remindedAt ?? null,
      })),
    recentDecisions: approvals
      .filter((a) => a.status === 'DECIDED')
      .sort((x, y) => (y.decidedAt ?? '').localeCompare(x.decidedAt ?? ''))
      .slice(0, 10)
      .map((a) => ({
        kind: a.kind,
        app: a.app ?? null,
        ...(a.wave === undefined
          ? {}
          : { wave: a.wave, subset: a.skip ?? a.rollback ?? [] }),
        decision: a.decision ?? '',
        approver: a.approver ?? '',
        decidedAt: a.decidedAt ?? '',
      })),
    readiness: tracker
      ? {
          waitingSince: tracker.waitingSince,
          lastPollAt: tracker.lastPollAt,
          readySince: tracker.readySince ?? null,
          forecast: tracker.forecast ?? null,
          stalledSince: tracker.stalledSince ?? null,
          stallNotifiedAt: tracker.stallNotifiedAt ?? null,
        }
      : null,
  };
}

// ------------------------------------------------------------ the page's view

/** Where an application's clients are, in each state. */
export const CLIENTS_AT: Record<AppState, string> = {
  ON_SOURCE: 'on the source',
  CUTOVER_APPROVED: 'moving to MSK',
  ON_TARGET: 'on MSK (keep or roll back pending)',
  KEPT_ON_TARGET: 'on MSK',
  ROLLBACK_APPROVED: 'moving back to the source',
  ROLLED_BACK: 'on the source (rolled back)',
  SKIPPED: 'on the source (skipped)',
};

export interface AppOverview {
  app: string;
  /** 1-based position in the cutover order. */
  position: number;
  state: AppState;
  clients: string;
  since: string;
  /** The open gate of this application, if any. */
  gate: GateOverview | null;
}

export interface GateOverview extends GateStatus {
  /** When the gate times out (its own timeout, from when it first opened). */
  deadline: string | null;
  /**
   * The gate's own page (relative to the overview page), which decides;
   * null when its link expired (a reminder brings a new one).
   */
  page: string | null;
}

/** A group of applications: a wave of the plan, or all of them. */
export interface WaveOverview {
  /** null when the plan has no waves. */
  name: string | null;
  apps: AppOverview[];
  counts: Partial<Record<AppState, number>>;
}

export interface ReplicatorOverview {
  name: string;
  shard: string;
  direction: ReplicatorRef['direction'];
}

export interface EvidenceOverview {
  evidenceId: string;
  kind: string;
  app: string | null;
  at: string;
  ready: boolean | null;
  reasons: string[];
}

/** The overview page's view of a migration (and its JSON form). */
export interface MigrationOverview {
  migrationId: string;
  status: MigrationRecord['status'];
  startedAt: string;
  updatedAt: string;
  readySince: string | null;
  /** When this view was read. */
  readAt: string;
  waves: WaveOverview[];
  openGates: GateOverview[];
  readiness: ReadinessStatus | null;
  replicators: ReplicatorOverview[];
  lastEvidence: EvidenceOverview | null;
  recentDecisions: DecisionStatus[];
}

/** The waves of a plan that declares them (`cutoverWaves`), else null. */
function wavesOf(
  plan: Plan | null,
): { name: string; applications: string[] }[] | null {
  const waves = (plan as { cutoverWaves?: unknown } | null)?.cutoverWaves;
  if (!Array.isArray(waves)) return null;
  return waves.flatMap((w) =>
    w &&
    typeof w === 'object' &&
    typeof (w as { name?: unknown }).name === 'string' &&
    Array.isArray((w as { applications?: unknown }).applications)
      ? [
          {
            name: (w as { name: string }).name,
            applications: (
              w as { applications: unknown[] }
            ).applications.filter((a): a is string => typeof a === 'string'),
          },
        ]
      : [],
  );
}

export interface OverviewDeps {
  ledger: StatusLedger & Pick<Ledger, 'listReplicators' | 'latestEvidence'>;
}

/**
 * Reads the overview of a migration, or null when the ledger has none.
 *
 * @param plan the pinned plan (gate deadlines, waves); null when unreadable
 * @param gatePage the relative URL of an open gate's own page
 */
export async function readOverview(
  deps: OverviewDeps,
  migrationId: string,
  plan: Plan | null,
  now: Date,
  gatePage: (gate: GateStatus) => string,
): Promise<MigrationOverview | null> {
  const status = await ledgerStatus(deps.ledger, migrationId, now);
  if (!status) return null;
  const [replicators, evidence] = await Promise.all([
    deps.ledger.listReplicators(migrationId),
    deps.ledger.latestEvidence(migrationId, 'readiness'),
  ]);
  const opened = new Map(
    status.approvals.map((a) => [a.approvalId, gateOpenedAt(a)]),
  );
  const timeoutMs = plan ? plan.approvals.gateTimeoutHours * 3_600_000 : null;
  const deadlineOf = (g: GateStatus): string | null => {
    if (timeoutMs === null) return null;
    const from = opened.get(g.approvalId) ?? Date.parse(g.openedAt);
    return Number.isFinite(from)
      ? new Date(from + timeoutMs).toISOString()
      : null;
  };
  const gates: GateOverview[] = status.openGates.map((g) => ({
    ...g,
    deadline: deadlineOf(g),
    page: g.link === 'valid' ? gatePage(g) : null,
  }));
  const gateOfApp = new Map(gates.flatMap((g) => (g.app ? [[g.app, g]] : [])));
  const apps: AppOverview[] = status.apps.map((a) => ({
    app: a.app,
    position: a.order + 1,
    state: a.state,
    clients: CLIENTS_AT[a.state],
    since: a.updatedAt,
    gate: gateOfApp.get(a.app) ?? null,
  }));
  const count = (list: AppOverview[]) => {
    const counts: Partial<Record<AppState, number>> = {};
    for (const a of list) counts[a.state] = (counts[a.state] ?? 0) + 1;
    return counts;
  };
  const declared = wavesOf(plan);
  let waves: WaveOverview[];
  if (declared) {
    const byName = new Map(apps.map((a) => [a.app, a]));
    const placed = new Set<string>();
    waves = declared.map((w) => {
      const list = w.applications.flatMap((name) => {
        const a = byName.get(name);
        if (!a) return [];
        placed.add(name);
        return [a];
      });
      return { name: w.name, apps: list, counts: count(list) };
    });
    const rest = apps.filter((a) => !placed.has(a.app));
    if (rest.length > 0) {
      waves.push({ name: 'not in a wave', apps: rest, counts: count(rest) });
    }
  } else {
    waves = [{ name: null, apps, counts: count(apps) }];
  }
  const m = status.migration;
  return {
    migrationId: m.migrationId,
    status: m.status,
    startedAt: m.startedAt,
    updatedAt: m.updatedAt,
    readySince: m.readySince ?? null,
    readAt: now.toISOString(),
    waves,
    openGates: gates,
    readiness: status.readiness,
    replicators: replicators.map((r) => ({
      name: r.name,
      shard: r.shard,
      direction: r.direction,
    })),
    lastEvidence: evidence
      ? {
          evidenceId: evidence.evidenceId,
          kind: evidence.kind,
          app: evidence.app ?? null,
          at: evidence.at,
          ready: typeof evidence.ready === 'boolean' ? evidence.ready : null,
          reasons: evidence.reasons.slice(0, 5),
        }
      : null,
    recentDecisions: status.recentDecisions,
  };
}
