import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetBootstrapBrokersCommand,
  NotFoundException,
} from '@aws-sdk/client-kafka';
import { EncryptCommand } from '@aws-sdk/client-kms';
import { PublishCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/request-approval/handler.ts';
import { linkExpiry } from '../../../functions/shared/approvals/gate.ts';
import { verifyApproval } from '../../../functions/shared/approvals/link.ts';
import type { RequestApprovalEvent } from '../../../functions/shared/contracts.ts';
import { PlanSchema } from '../../../functions/shared/domain/plan.ts';
import {
  context,
  EXECUTION_ID,
  eventbridge,
  type GateFixture,
  kafka,
  kms,
  MIGRATION_ID,
  newTaskToken,
  PLAN_REF,
  PLAN_TEXT,
  readinessEvidence,
  recordEvidence,
  sns,
  startGateFixture,
  TARGET_BROKERS,
  useEnv,
} from '../approval-api/gate-fixture.ts';

let fx: GateFixture;
let handler: ReturnType<typeof createHandler>;

beforeAll(async () => {
  fx = await startGateFixture();
  useEnv(fx.env);
  handler = createHandler({ clock: fx.clock });
});
afterAll(() => fx.stop());
beforeEach(() => {
  sns.resetHistory();
  eventbridge.resetHistory();
  kms.resetHistory();
});

function event(
  overrides: Partial<RequestApprovalEvent> = {},
): RequestApprovalEvent {
  return {
    migrationId: MIGRATION_ID,
    planRef: PLAN_REF,
    kind: 'cutover',
    app: 'order-status',
    taskToken: newTaskToken(),
    executionId: EXECUTION_ID,
    ...overrides,
  };
}

describe('request-approval', () => {
  it('should store the task token only as KMS ciphertext bound to the approval', async () => {
    const ev = event();
    const { approvalId } = await handler(ev, context);
    const rec = await fx.ledger.getApproval(approvalId);
    expect(rec?.encryptedTaskToken).toBeTruthy();
    expect(JSON.stringify(rec)).not.toContain(ev.taskToken);
    expect(kms).toReceiveCommandWith(EncryptCommand, {
      KeyId: fx.env.TOKEN_KEY_ID,
      EncryptionContext: { migrationId: MIGRATION_ID, approvalId },
    });
  });

  it('should record what is asked, the evidence at this moment and the expiry', async () => {
    const { approvalId } = await handler(event(), context);
    const rec = await fx.ledger.getApproval(approvalId);
    const at = new Date(fx.clock.now().getTime() - 60_000).toISOString();
    expect(rec).toMatchObject({
      approvalId,
      migrationId: MIGRATION_ID,
      kind: 'cutover',
      app: 'order-status',
      executionId: EXECUTION_ID,
      status: 'OPEN',
      evidenceId: readinessEvidence(at).evidenceId,
      createdAt: fx.clock.now().toISOString(),
      // linkTtlHours 24 in the published example plan
      expiresAt: new Date(
        fx.clock.now().getTime() + 24 * 3_600_000,
      ).toISOString(),
    });
    expect(rec?.formNonce).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('should take the newest evidence when more was recorded since', async () => {
    const later = new Date(fx.clock.now().getTime() - 30_000).toISOString();
    await recordEvidence(fx.ledger, later);
    const { approvalId } = await handler(event(), context);
    expect((await fx.ledger.getApproval(approvalId))?.evidenceId).toBe(
      `readiness-${later}`,
    );
  });

  it('should email one signed link, the endpoints and the numbers, never the token', async () => {
    const ev = event();
    const { approvalId } = await handler(ev, context);
    const { subject, body } = fx.lastEmail();
    expect(subject).toBe(
      '[msk-cutover] orders-platform: approve cutover of order-status',
    );
    expect(body).toContain(`bootstrap.servers=${TARGET_BROKERS}`);
    expect(body).toContain('PASS Copy delay: 1,250 ms (must be ≤ 90,000)');
    expect(body).toContain('group order-status: source lag 17, MSK lag 5');
    expect(body).not.toContain(ev.taskToken);
    const link = new URL(fx.lastLink());
    expect(link.origin + link.pathname).toBe(
      `https://approvals.example.com/approvals/${approvalId}`,
    );
    expect(link.searchParams.get('sig')).not.toContain(ev.taskToken);
    expect(
      verifyApproval(
        fx.signingKey,
        approvalId,
        link.searchParams.get('sig') ?? '',
        fx.clock.now(),
      ).ok,
    ).toBe(true);
    expect(kafka).toReceiveCommandWith(GetBootstrapBrokersCommand, {
      ClusterArn: JSON.parse(PLAN_TEXT).target.mskClusterArn,
    });
  });

  it('should publish an event for integrations without the link or the token', async () => {
    const ev = event();
    const { approvalId } = await handler(ev, context);
    const entry =
      eventbridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry?.DetailType).toBe('Approval Requested');
    const detail = JSON.parse(entry?.Detail ?? '{}');
    expect(detail).toMatchObject({
      approvalId,
      kind: 'cutover',
      app: 'order-status',
    });
    expect(entry?.Detail).not.toContain('sig=');
    expect(entry?.Detail).not.toContain(ev.taskToken);
  });

  it('should supersede the older open request of the same gate only', async () => {
    const first = await handler(event(), context);
    const other = await handler(event({ app: 'orders' }), context);
    const second = await handler(event(), context);
    expect((await fx.ledger.getApproval(first.approvalId))?.status).toBe(
      'SUPERSEDED',
    );
    expect((await fx.ledger.getApproval(other.approvalId))?.status).toBe(
      'OPEN',
    );
    expect((await fx.ledger.getApproval(second.approvalId))?.status).toBe(
      'OPEN',
    );
  });

  it('should open the gate even when the target brokers cannot be read', async () => {
    kafka
      .on(GetBootstrapBrokersCommand)
      .rejectsOnce(
        new NotFoundException({ message: 'no cluster', $metadata: {} }),
      );
    await handler(event(), context);
    expect(fx.lastEmail().body).toContain('View client information');
  });

  it('should carry the note of a gate asked again, and open a teardown gate without app', async () => {
    const { approvalId } = await handler(
      event({
        kind: 'teardown',
        app: undefined,
        note: 'Teardown refused: orders still on the source.',
      }),
      context,
    );
    expect((await fx.ledger.getApproval(approvalId))?.note).toContain(
      'Teardown refused',
    );
    const { subject, body } = fx.lastEmail();
    expect(subject).toBe('[msk-cutover] orders-platform: approve teardown');
    expect(body).toContain('Teardown refused: orders still on the source.');
    expect(body).toContain('msk-cutover-orders-platform-fwd');
  });

  it.each([
    [{ app: undefined }, /app: required for a cutover gate/],
    [
      { app: 'billing' },
      /"billing" is not an application of plan orders-platform/,
    ],
    [{ kind: 'teardown' as const }, /teardown gate is migration-wide/],
  ])('should refuse %j with a ValidationError', async (overrides, msg) => {
    const before = sns.commandCalls(PublishCommand).length;
    const err = await handler(event(overrides), context).catch((e) => e);
    expect(err.name).toBe('ValidationError');
    expect(err.message).toMatch(msg);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(before);
  });

  it('should refuse an event without a task token, naming the field and not the value', async () => {
    const { taskToken: _omit, ...rest } = event();
    const err = await handler(rest as never, context).catch((e) => e);
    expect(err.name).toBe('ValidationError');
    expect(err.message).toContain('taskToken');
  });
});

describe('link expiry', () => {
  it('should never outlive the gate timeout', () => {
    const plan = PlanSchema.parse({
      ...JSON.parse(PLAN_TEXT),
      approvals: { linkTtlHours: 48, gateTimeoutHours: 12 },
    });
    const from = new Date('2026-01-01T00:00:00Z');
    expect(linkExpiry(plan, from).toISOString()).toBe(
      '2026-01-01T12:00:00.000Z',
    );
  });
});

describe('a long note', () => {
  it('should be cut, not refused', async () => {
    const { approvalId } = await handler(
      event({ kind: 'teardown', app: undefined, note: 'x'.repeat(5000) }),
      context,
    );
    const note = (await fx.ledger.getApproval(approvalId))?.note ?? '';
    expect(note).toHaveLength(2000);
    expect(note.endsWith('…')).toBe(true);
  });
});
