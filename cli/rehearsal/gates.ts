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

  constructor(
    private readonly clock: VirtualClock,
    private readonly model: ClusterModel,
    private readonly timeline: Timeline,
  ) {}

  record(token: string): GateRecord | undefined {
    return this.#byToken.get(token)?.record;
  }

  /** request-approval is about to ask for a decision with this token. */
  asked(ev: { taskToken: string; kind: string; app?: string }): GateRecord {
    const record: GateRecord = {
      kind: ev.kind,
      ...(ev.app ? { app: ev.app } : {}),
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
    const parsed = JSON.parse(output) as { decision?: string };
    if (!(gate && open && parsed.decision)) return;
    const { record } = gate;
    record.decision = parsed.decision;
    record.at = this.clock.now().toISOString();
    if (record.app) {
      const list = this.decidedApps.get(record.app) ?? [];
      list.push(parsed.decision);
      this.decidedApps.set(record.app, list);
      if (parsed.decision === 'cutover') {
        this.model.moveApp(record.app, 'target');
      } else if (parsed.decision === 'rollback') {
        this.model.moveApp(record.app, 'source');
      }
    }
    this.timeline.note(
      'gate',
      `${record.kind}${record.app ? ` ${record.app}` : ''}: decided ${parsed.decision}`,
    );
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
