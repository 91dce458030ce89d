import {
  CloudWatchClient,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { PublishCommand } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createApiHandler } from '../../../functions/approval-api/handler.ts';
import { dueForReminder } from '../../../functions/approval-reminders/approval-reminders.ts';
import { createHandler } from '../../../functions/approval-reminders/handler.ts';
import { createHandler as createRequestHandler } from '../../../functions/request-approval/handler.ts';
import { verifyApproval } from '../../../functions/shared/approvals/link.ts';
import {
  context,
  EXECUTION_ID,
  type GateFixture,
  kms,
  MIGRATION_ID,
  newTaskToken,
  PLAN_REF,
  sfn,
  sns,
  startGateFixture,
  useEnv,
} from '../approval-api/gate-fixture.ts';

const HOUR = 3_600_000;
const cloudwatch = mockClient(CloudWatchClient);

/** The GatesOverdue values published so far. */
const overdueSeries = () =>
  cloudwatch
    .commandCalls(PutMetricDataCommand)
    .flatMap((c) => c.args[0].input.MetricData ?? [])
    .filter((d) => d.MetricName === 'GatesOverdue')
    .map((d) => d.Value);
let fx: GateFixture;
let reminders: ReturnType<typeof createHandler>;
let requestApproval: ReturnType<typeof createRequestHandler>;
let api: ReturnType<typeof createApiHandler>;

beforeAll(async () => {
  fx = await startGateFixture();
  useEnv(fx.env);
  reminders = createHandler({ clock: fx.clock });
  requestApproval = createRequestHandler({ clock: fx.clock });
  api = createApiHandler({ clock: fx.clock });
});
afterAll(() => fx.stop());
beforeEach(() => {
  cloudwatch.reset();
  cloudwatch.on(PutMetricDataCommand).resolves({});
  sns.resetHistory();
  kms.resetHistory();
  sfn.resetHistory();
});

const schedule = {
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  detail: {},
};

async function openGate(app = 'order-status') {
  const taskToken = newTaskToken();
  const { approvalId } = await requestApproval(
    {
      migrationId: MIGRATION_ID,
      planRef: PLAN_REF,
      kind: 'cutover',
      app,
      taskToken,
      executionId: EXECUTION_ID,
    },
    context,
  );
  const link = new URL(fx.lastLink());
  sns.resetHistory();
  return { approvalId, taskToken, link };
}

/** Opens the link's page and posts its form with `decision`, as a person. */
async function decideOnPage(link: URL, decision: string) {
  const page = await api(httpEvent('GET', link), context);
  const nonce = /name="nonce" value="([^"]+)"/.exec(page.body ?? '')?.[1] ?? '';
  return api(
    httpEvent(
      'POST',
      link,
      new URLSearchParams({ nonce, decision, approver: 'Ada' }).toString(),
    ),
    context,
  );
}

describe('approval reminders', () => {
  it('should know when a gate is due (half of its timeout, once)', () => {
    const createdAt = '2026-01-01T00:00:00.000Z';
    const open = { status: 'OPEN' as const, createdAt };
    expect(dueForReminder(open, 72, new Date('2026-01-02T11:59:59Z'))).toBe(
      false,
    );
    expect(dueForReminder(open, 72, new Date('2026-01-02T12:00:00Z'))).toBe(
      true,
    );
    expect(
      dueForReminder(
        { ...open, remindedAt: createdAt },
        72,
        new Date('2026-01-09'),
      ),
    ).toBe(false);
    expect(
      dueForReminder(
        { ...open, status: 'DECIDED' },
        72,
        new Date('2026-01-09'),
      ),
    ).toBe(false);
  });

  it('should re-announce a gate open past half its timeout exactly once, with a working link', async () => {
    const { approvalId, taskToken } = await openGate();
    // gateTimeoutHours 72 in the example plan: due after 36 hours.
    fx.clock.advance(35 * HOUR);
    expect((await reminders(schedule, context)).reminders).toEqual([]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);

    fx.clock.advance(1 * HOUR);
    const result = await reminders(schedule, context);
    expect(result.reminders).toHaveLength(1);
    const reminder = result.reminders[0];
    expect(reminder?.remindedApprovalId).toBe(approvalId);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    const { subject, body } = fx.lastEmail();
    expect(subject).toBe(
      'Reminder: [msk-cutover] orders-platform: approve cutover of order-status',
    );
    expect(body).not.toContain(taskToken);

    // The token moved to the new approval under its own encryption context.
    expect(kms).toReceiveCommandWith(DecryptCommand, {
      EncryptionContext: { migrationId: MIGRATION_ID, approvalId },
    });
    expect(kms).toReceiveCommandWith(EncryptCommand, {
      EncryptionContext: {
        migrationId: MIGRATION_ID,
        approvalId: reminder?.approvalId ?? '',
      },
    });
    expect((await fx.ledger.getApproval(approvalId))?.status).toBe(
      'SUPERSEDED',
    );
    const fresh = await fx.ledger.getApproval(reminder?.approvalId ?? '');
    expect(fresh).toMatchObject({
      status: 'OPEN',
      kind: 'cutover',
      app: 'order-status',
      gateOpenedAt: (await fx.ledger.getApproval(approvalId))?.createdAt,
    });
    // linkTtlHours 24 from now, within the gate's 72 h.
    expect(fresh?.expiresAt).toBe(
      new Date(fx.clock.now().getTime() + 24 * HOUR).toISOString(),
    );
    const link = new URL(fx.lastLink());
    expect(
      verifyApproval(
        fx.signingKey,
        reminder?.approvalId ?? '',
        link.searchParams.get('sig') ?? '',
        fx.clock.now(),
      ).ok,
    ).toBe(true);

    // Later runs send nothing more.
    fx.clock.advance(HOUR);
    expect((await reminders(schedule, context)).reminders).toEqual([]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);

    // The reminder's link decides the gate with the original task token.
    const res = await decideOnPage(link, 'postpone');
    expect(res.statusCode).toBe(200);
    expect(sfn).toReceiveCommandWith(SendTaskSuccessCommand, { taskToken });
  });

  it('should send again a decision that never reached Step Functions', async () => {
    const { approvalId, taskToken, link } = await openGate(
      'customer-notification',
    );
    // Step Functions is unavailable for the page's SendTaskSuccess (after
    // the SDK's own retries).
    sfn.on(SendTaskSuccessCommand).rejectsOnce(
      Object.assign(new Error('Service Unavailable'), {
        name: 'ServiceUnavailable',
      }),
    );
    const res = await decideOnPage(link, 'cutover');
    expect(res.statusCode).toBe(202);
    expect(res.body).toContain('Decision recorded, not yet delivered');
    const decided = await fx.ledger.getApproval(approvalId);
    expect(decided).toMatchObject({ status: 'DECIDED', decision: 'cutover' });
    expect(decided?.deliveredAt).toBeUndefined();

    // A sweep within two minutes leaves it alone (it may be in flight).
    // (History is not reset here: that would replay the rejection.)
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    fx.clock.advance(60_000);
    expect((await reminders(schedule, context)).redelivered).toEqual([]);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);

    // The next one sends the recorded decision with the gate's token, once.
    fx.clock.advance(15 * 60_000);
    const swept = await reminders(schedule, context);
    expect(swept.redelivered).toEqual([{ approvalId, outcome: 'accepted' }]);
    expect(sfn).toReceiveCommandWith(SendTaskSuccessCommand, {
      taskToken,
      output: JSON.stringify({
        decision: 'cutover',
        approver: 'Ada',
        approvalId,
      }),
    });
    expect(await fx.ledger.getApproval(approvalId)).toMatchObject({
      delivery: 'accepted',
      deliveredAt: fx.clock.now().toISOString(),
    });
    fx.clock.advance(15 * 60_000);
    expect((await reminders(schedule, context)).redelivered).toEqual([]);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(2);
  });

  it('should publish how many gates are past their timeout, 0 included', async () => {
    await reminders(schedule, context);
    expect(overdueSeries()).toEqual([0]);
    expect(cloudwatch).toReceiveCommandWith(PutMetricDataCommand, {
      Namespace: 'msk-cutover',
    });
    const { approvalId } = await openGate('customer-notification');
    fx.clock.advance(73 * HOUR);
    const result = await reminders(schedule, context);
    expect(result.overdue).toBeGreaterThanOrEqual(1);
    expect(overdueSeries().at(-1)).toBe(result.overdue);
    // Past its timeout the task is gone: counted, not reminded.
    expect(
      result.reminders.find((r) => r.remindedApprovalId === approvalId),
    ).toBeUndefined();
    expect(
      (await fx.ledger.getApproval(approvalId))?.remindedAt,
    ).toBeUndefined();
  });

  it('should leave decided gates and gates not yet due alone', async () => {
    await openGate('orders');
    fx.clock.advance(10 * HOUR);
    const result = await reminders(schedule, context);
    expect(result.reminders).toEqual([]);
    expect(result.open).toBeGreaterThan(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});

function httpEvent(method: string, link: URL, body?: string) {
  return {
    version: '2.0',
    routeKey: `${method} /approvals/{approvalId}`,
    rawPath: link.pathname,
    rawQueryString: link.search.slice(1),
    headers: body
      ? { 'content-type': 'application/x-www-form-urlencoded' }
      : {},
    queryStringParameters: Object.fromEntries(link.searchParams),
    requestContext: {
      http: {
        method,
        path: link.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '198.51.100.7',
        userAgent: 'test',
      },
    },
    ...(body ? { body } : {}),
    isBase64Encoded: false,
  } as never;
}
