/**
 * Gate tracking: every approval gate the workflow opens, from the
 * request-approval invocation that asks for it to the decision (or the
 * timeout) that closes it, with the email and the evidence it showed.
 */

import { linkIn } from './operator.ts';
import type { SentEmail } from './sim-aws.ts';
import type { ClusterModel } from './simulator.ts';
import type { Timeline } from './timeline.ts';
import type { VirtualClock } from './virtual-clock.ts';

export interface GateRecord {
  app?: string;
  /** A wave gate's wave. */
  wave?: string;
  /** A wave gate's subset: `skip` at its cutover gate, `rollback` at its keep-or-rollback gate. */
  subset?: string[];
  kind: string;
  /** The decision, `timeout` or `open` (never answered). */
  decision: string;
  /** Virtual time the gate opened. */
  openedAt: string;
  /** Virtual time it closed. */
  at?: string;
  approvalId?: string;
  /** Extra form posts (replayed, tampered) and what the page answered. */
  attempts: { kind: string; status: number; title: string }[];
  /** The email that asked for the decision. */
  email?: { subject: string; body: string };
  /** What the simulated clusters showed when the gate opened. */
  evidence: {
    replicators: { name: string; messageLag?: number; latencyMs?: number }[];
    groups: { group: string; source: number | null; target: number | null }[];
  };
}

interface GateState {
  record: GateRecord;
  token: string;
  approvalId?: string;
}

/** The gates of one rehearsal, by task token and by open state. */
export class GateTracker {
  /** Every gate, in the order they opened. */
  readonly records: GateRecord[] = [];
  /** Application → the decisions taken for it, in order. */
  readonly decidedApps = new Map<string, string[]>();
  readonly #byToken = new Map<string, GateState>();
  /** `execution|state` → the token of the gate open there. */
  readonly #openByState = new Map<string, string>();

  /**
   * @param waves each wave's applications (plans with `cutoverWaves`)
   * @param neverMoved applications whose owners never move them (a
   *   scenario's fault): their cutover is approved but their clients stay
   */
  constructor(
    private readonly clock: VirtualClock,
    private readonly model: ClusterModel,
    private readonly timeline: Timeline,
    private readonly waves: ReadonlyMap<string, readonly string[]> = new Map(),
    private readonly neverMoved: ReadonlySet<string> = new Set(),
  ) {}

  record(token: string): GateRecord | undefined {
    return this.#byToken.get(token)?.record;
  }

  /** request-approval is about to ask for a decision with this token. */
  asked(ev: {
    taskToken: string;
    kind: string;
    app?: string;
    wave?: string;
  }): GateRecord {
    const record: GateRecord = {
      kind: ev.kind,
      ...(ev.app ? { app: ev.app } : {}),
      ...(ev.wave ? { wave: ev.wave } : {}),
      decision: 'open',
      openedAt: this.clock.now().toISOString(),
      attempts: [],
      evidence: evidenceOf(this.model, ev.app),
    };
    this.records.push(record);
    this.#byToken.set(ev.taskToken, { record, token: ev.taskToken });
    return record;
  }

  /**
   * Several gates may ask at once (Map concurrency): this gate's email is
   * the one, among those sent since, whose link carries the approval id
   * the handler returned.
   */
  matchEmail(
    record: GateRecord,
    sent: readonly SentEmail[],
    approvalId: string | undefined,
  ): void {
    const mine = approvalId
      ? `/approvals/${encodeURIComponent(approvalId)}?`
      : null;
    const email = sent.find(
      (e) => mine !== null && linkIn(e.body)?.includes(mine),
    );
    if (email) record.email = { subject: email.subject, body: email.body };
  }

  /** request-approval returned the approval id of the gate. */
  approvalIdOf(token: string, approvalId: string | undefined): void {
    const state = this.#byToken.get(token);
    if (state && approvalId) {
      state.approvalId = approvalId;
      state.record.approvalId = approvalId;
    }
  }

  /**
   * SendTaskSuccess with the gate's token, while the gate is `open` in
   * the workflow: record the decision, and the people who own the
   * application move it now.
   */
  decided(token: string, output: string, open: boolean): void {
    const gate = this.#byToken.get(token);
    const parsed = JSON.parse(output) as {
      decision?: string;
      skip?: string[];
      rollback?: string[];
    };
    if (!(gate && open && parsed.decision)) return;
    const { record } = gate;
    record.decision = parsed.decision;
    record.at = this.clock.now().toISOString();
    if (record.app) {
      this.#appDecided(record.app, parsed.decision);
    }
    const subset = parsed.skip ?? parsed.rollback ?? [];
    if (record.wave !== undefined) {
      if (subset.length > 0) record.subset = subset;
      this.#waveDecided(record, parsed.decision, new Set(subset));
    }
    const named =
      subset.length > 0
        ? ` (${parsed.skip ? 'skip' : 'rollback'} ${subset.join(', ')})`
        : '';
    this.timeline.note(
      'gate',
      `${record.kind}${record.app ? ` ${record.app}` : ''}${record.wave ? ` wave ${record.wave}` : ''}: decided ${parsed.decision}${named}`,
    );
  }

  /** One application's decision: its owners move it now (or never). */
  #appDecided(app: string, decision: string): void {
    const list = this.decidedApps.get(app) ?? [];
    list.push(decision);
    this.decidedApps.set(app, list);
    if (this.neverMoved.has(app)) return;
    if (decision === 'cutover') this.model.moveApp(app, 'target');
    else if (decision === 'rollback') this.model.moveApp(app, 'source');
  }

  /**
   * A wave's decision, for each of its applications: `cutover` moves all
   * but the skipped ones, `keep` moves back the ones named for rollback.
   */
  #waveDecided(
    record: GateRecord,
    decision: string,
    subset: Set<string>,
  ): void {
    const apps = this.waves.get(record.wave ?? '') ?? [];
    for (const app of apps) {
      if (record.kind === 'wave-cutover' && decision === 'cutover') {
        this.#appDecided(app, subset.has(app) ? 'skip' : 'cutover');
      } else if (record.kind === 'wave-keep-or-rollback' && subset.has(app)) {
        this.#appDecided(app, 'rollback');
      }
    }
  }

  /** The workflow waits at `state` for the token. */
  opened(execution: string, state: string, token: string): void {
    this.#openByState.set(`${execution}|${state}`, token);
  }

  /** The workflow stopped waiting at `state`: the token it waited for. */
  closed(execution: string, state: string): string | undefined {
    const key = `${execution}|${state}`;
    const token = this.#openByState.get(key);
    this.#openByState.delete(key);
    return token;
  }

  /** The gate of the token closed without a decision. */
  timedOut(token: string | undefined, execution: string): void {
    const closed = token ? this.#byToken.get(token) : undefined;
    if (!closed) return;
    closed.record.decision = 'timeout';
    closed.record.at = this.clock.now().toISOString();
    this.timeline.note('gate', 'gate timed out', execution);
  }
}

/** What the simulated clusters show now, for a gate's evidence. */
function evidenceOf(model: ClusterModel, app?: string): GateRecord['evidence'] {
  const now = model.currentTime();
  const replicators = model
    .listReplicators()
    .filter((r) => model.stateOf(r) === 'RUNNING')
    .map((r) => {
      const lag = model.replicatorMetric(r, 'MessageLag', {}, now);
      const latency = model.replicatorMetric(r, 'ReplicationLatency', {}, now);
      return {
        name: r.name,
        ...(lag !== undefined ? { messageLag: lag } : {}),
        ...(latency !== undefined ? { latencyMs: latency } : {}),
      };
    });
  const groups = (
    app ? model.groupsOf(app) : model.groupNames().slice(0, 20)
  ).map((group) => ({
    group,
    source: model.group(group, 'source').sumOffsetLag,
    target: model.group(group, 'target').sumOffsetLag,
  }));
  return { replicators, groups };
}
