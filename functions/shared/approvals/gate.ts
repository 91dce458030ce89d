/**
 * What request-approval, approval-api and approval-reminders share about an
 * open gate: finding the evidence it was opened on, building its view, and
 * announcing it (email with one signed link).
 */

import type { Plan } from '../domain/plan.ts';
import type { GateKind } from '../domain/types.ts';
import type {
  ApprovalRecord,
  AwsInventory,
  EvidenceRecord,
  Ledger,
  Log,
  Notifier,
  SigningKeys,
  TokenCipher,
} from '../ports.ts';
import { buildApprovalEmail } from './email.ts';
import type { ReadinessThresholds } from './evidence.ts';
import {
  approvalUrl,
  newApprovalId,
  newFormNonce,
  overviewExpiry,
  overviewUrl,
  signApproval,
  signOverview,
} from './link.ts';
import { type GateView, gateViewOf, summarizeEvidence } from './view.ts';
import { buildWaveGateEmail } from './wave-email.ts';
import {
  type WaveAppInput,
  type WaveGateView,
  waveGateViewOf,
} from './wave-view.ts';

/** The evidence kinds a gate's decision rests on, most relevant first. */
const EVIDENCE_OF_GATE: Record<
  GateKind,
  (app?: string) => [EvidenceRecord['kind'], string | undefined][]
> = {
  cutover: (app) => [
    ['readiness', app],
    ['readiness', undefined],
  ],
  'keep-or-rollback': (app) => [
    ['verify', app],
    ['readiness', app],
  ],
  'verify-timeout': (app) => [['verify', app]],
  'rollback-verify-timeout': (app) => [['verify', app]],
  teardown: () => [
    ['readiness', undefined],
    ['verify', undefined],
  ],
  // A wave gate rests on each application's own evidence, listed in the
  // approval's `waveApps` (request-approval reads them one by one).
  'wave-cutover': () => [],
  'wave-keep-or-rollback': () => [],
};

/** The newest evidence relevant to a gate of `kind` (its id is recorded). */
export async function latestGateEvidence(
  ledger: Pick<Ledger, 'latestEvidence'>,
  migrationId: string,
  kind: GateKind,
  app?: string,
): Promise<EvidenceRecord | null> {
  for (const [k, a] of EVIDENCE_OF_GATE[kind](app)) {
    const found = await ledger.latestEvidence(migrationId, k, a);
    if (found) return found;
  }
  return null;
}

/** The evidence summary of an approval: its readiness record and groups. */
export async function evidenceOf(
  ledger: Pick<Ledger, 'getEvidence' | 'latestEvidence'>,
  approval: Pick<ApprovalRecord, 'migrationId' | 'evidenceId' | 'app'>,
  thresholds?: ReadinessThresholds,
) {
  if (!approval.evidenceId) return null;
  const main = await ledger.getEvidence(
    approval.migrationId,
    approval.evidenceId,
  );
  if (!main) return null;
  const measurementId = main.data.measurementId;
  const measurement =
    main.kind === 'measure'
      ? null
      : typeof measurementId === 'string'
        ? await ledger.getEvidence(approval.migrationId, measurementId)
        : await ledger.latestEvidence(
            approval.migrationId,
            'measure',
            approval.app,
          );
  return summarizeEvidence(main, measurement, thresholds);
}

/** Whether a gate decides a wave (its page lists the wave's applications). */
export function isWaveGate(
  approval: Pick<ApprovalRecord, 'kind' | 'wave'>,
): approval is Pick<ApprovalRecord, 'kind'> & {
  kind: 'wave-cutover' | 'wave-keep-or-rollback';
  wave: string;
} {
  return (
    (approval.kind === 'wave-cutover' ||
      approval.kind === 'wave-keep-or-rollback') &&
    typeof approval.wave === 'string'
  );
}

/**
 * Each application of a wave gate with its own evidence: the readiness (or
 * verification) record the gate listed for it and the measurement that
 * record used.
 */
export async function waveAppsOf(
  ledger: Pick<Ledger, 'getEvidence'>,
  approval: Pick<ApprovalRecord, 'migrationId' | 'waveApps'>,
): Promise<WaveAppInput[]> {
  return Promise.all(
    (approval.waveApps ?? []).map(async (a): Promise<WaveAppInput> => {
      const readiness = a.evidenceId
        ? await ledger.getEvidence(approval.migrationId, a.evidenceId)
        : null;
      const measurementId = readiness?.data.measurementId;
      const measurement =
        typeof measurementId === 'string'
          ? await ledger.getEvidence(approval.migrationId, measurementId)
          : null;
      return {
        name: a.app,
        readiness,
        measurement,
        ...(a.outcome === undefined ? {} : { outcome: a.outcome }),
        ...(a.error === undefined ? {} : { error: a.error }),
      };
    }),
  );
}

/** A wave gate's view (its page and email), from the ledger. */
export async function waveGateView(
  ledger: Pick<Ledger, 'getEvidence'>,
  plan: Plan,
  approval: ApprovalRecord & { wave: string },
  targetBrokers: string | null,
  overviewUrl?: string,
): Promise<WaveGateView> {
  return waveGateViewOf({
    plan,
    approval: {
      approvalId: approval.approvalId,
      kind: approval.kind as 'wave-cutover' | 'wave-keep-or-rollback',
      wave: approval.wave,
      createdAt: approval.createdAt,
      expiresAt: approval.expiresAt,
      ...(approval.note === undefined ? {} : { note: approval.note }),
    },
    apps: await waveAppsOf(ledger, approval),
    targetBrokers,
    ...(overviewUrl === undefined ? {} : { overviewUrl }),
  });
}

/**
 * The target's SASL/IAM bootstrap string, or null (the email then points to
 * the console) when it cannot be read: a missing string must not fail the
 * gate.
 */
export async function targetBrokersOf(
  inventory: Pick<AwsInventory, 'bootstrapBrokers'>,
  clusterArn: string,
  log: Log,
): Promise<string | null> {
  try {
    return await inventory.bootstrapBrokers(clusterArn);
  } catch (err) {
    log.warn('target bootstrap brokers unavailable', {
      clusterArn,
      error: (err as Error).name,
    });
    return null;
  }
}

export interface AnnounceDeps {
  ledger: Pick<Ledger, 'getEvidence' | 'latestEvidence' | 'getMigration'>;
  keys: SigningKeys;
  notifier: Notifier;
  inventory: Pick<AwsInventory, 'bootstrapBrokers'>;
  approvalBaseUrl: string;
  log: Log;
}

/** Emails the gate with one signed link; returns the view it described. */
export async function announceGate(
  deps: AnnounceDeps,
  plan: Plan,
  approval: ApprovalRecord,
  reminder: boolean,
): Promise<GateView> {
  const [evidence, targetBrokers, key, migration] = await Promise.all([
    evidenceOf(deps.ledger, approval, plan.readiness),
    targetBrokersOf(deps.inventory, plan.target.mskClusterArn, deps.log),
    deps.keys.current(),
    deps.ledger.getMigration(approval.migrationId),
  ]);
  const overview = overviewLink(
    deps.approvalBaseUrl,
    key,
    approval.migrationId,
    migration?.startedAt ?? gateOpenedAtIso(approval),
  );
  const view = gateViewOf(plan, approval, evidence, targetBrokers, overview);
  const link = approvalUrl(
    deps.approvalBaseUrl,
    approval.approvalId,
    signApproval(key, approval.approvalId, new Date(approval.expiresAt)),
  );
  const email = isWaveGate(approval)
    ? buildWaveGateEmail(
        await waveGateView(
          deps.ledger,
          plan,
          { ...approval, wave: approval.wave },
          targetBrokers,
          overview,
        ),
        link,
        reminder,
      )
    : buildApprovalEmail(view, link, reminder);
  await deps.notifier.publish({
    migrationId: approval.migrationId,
    type: reminder ? 'Approval Reminder' : 'Approval Requested',
    subject: email.subject,
    body: email.body,
    // No link here: EventBridge targets are not meant to decide.
    detail: {
      approvalId: approval.approvalId,
      kind: approval.kind,
      ...(approval.app === undefined ? {} : { app: approval.app }),
      expiresAt: approval.expiresAt,
      evidenceId: approval.evidenceId ?? null,
    },
  });
  return view;
}

/**
 * The migration's read-only overview link. Its expiry follows from when
 * the migration started, so every email of a migration carries the same
 * link.
 */
export function overviewLink(
  baseUrl: string,
  key: Buffer,
  migrationId: string,
  startedAt: string,
): string {
  return overviewUrl(
    baseUrl,
    migrationId,
    signOverview(key, migrationId, overviewExpiry(new Date(startedAt))),
  );
}

function gateOpenedAtIso(
  a: Pick<ApprovalRecord, 'createdAt' | 'gateOpenedAt'>,
): string {
  return new Date(gateOpenedAt(a)).toISOString();
}

/**
 * When a new link stops working: after the plan's `linkTtlHours`, but never
 * after the gate itself times out.
 */
export function linkExpiry(plan: Plan, from: Date): Date {
  const hours = Math.min(
    plan.approvals.linkTtlHours,
    plan.approvals.gateTimeoutHours,
  );
  return new Date(from.getTime() + hours * 3_600_000);
}

/** The encryption context that binds a token ciphertext to its approval. */
export function tokenContext(
  migrationId: string,
  approvalId: string,
): Record<string, string> {
  return { migrationId, approvalId };
}

/** When the gate of an approval first opened (epoch milliseconds). */
export function gateOpenedAt(
  a: Pick<ApprovalRecord, 'createdAt' | 'gateOpenedAt'>,
): number {
  return Date.parse(a.gateOpenedAt ?? a.createdAt);
}

/**
 * Replaces an open approval with a new one for the same gate: a new id and
 * form nonce, the task token re-encrypted under the new id's context, a new
 * expiry. The old approval is superseded (its link stops working); the
 * new one is marked reminded so no reminder follows it.
 */
export async function reissueApproval(
  deps: {
    ledger: Pick<Ledger, 'putApproval'>;
    cipher: TokenCipher;
  },
  old: ApprovalRecord,
  now: Date,
  expiresAt: Date,
): Promise<ApprovalRecord> {
  const approvalId = newApprovalId();
  const token = await deps.cipher.decrypt(
    old.encryptedTaskToken,
    tokenContext(old.migrationId, old.approvalId),
  );
  const fresh: ApprovalRecord = {
    ...old,
    approvalId,
    encryptedTaskToken: await deps.cipher.encrypt(
      token,
      tokenContext(old.migrationId, approvalId),
    ),
    formNonce: newFormNonce(),
    createdAt: now.toISOString(),
    gateOpenedAt: new Date(gateOpenedAt(old)).toISOString(),
    expiresAt: expiresAt.toISOString(),
    status: 'OPEN',
    remindedAt: now.toISOString(),
  };
  await deps.ledger.putApproval(fresh);
  return fresh;
}
