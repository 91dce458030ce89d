import {
  SendTaskSuccessCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/approval-api/handler.ts';
import {
  type LocalApprovalApi,
  serveApprovalApi,
} from '../../../functions/approval-api/local-server.ts';
import { createHandler as createRequestHandler } from '../../../functions/request-approval/handler.ts';
import { signApproval } from '../../../functions/shared/approvals/link.ts';
import {
  context,
  EXECUTION_ID,
  type GateFixture,
  MIGRATION_ID,
  newTaskToken,
  PLAN_REF,
  sfn,
  startGateFixture,
  useEnv,
} from './gate-fixture.ts';

let fx: GateFixture;
let api: LocalApprovalApi;
let requestApproval: ReturnType<typeof createRequestHandler>;

beforeAll(async () => {
  fx = await startGateFixture();
  useEnv(fx.env);
  requestApproval = createRequestHandler({ clock: fx.clock });
  api = await serveApprovalApi(createHandler({ clock: fx.clock }));
});
afterAll(async () => {
  await api.close();
  await fx.stop();
});
beforeEach(() => {
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
});

/** Opens a gate; returns its token and the link, rebased on the local server. */
async function openGate(
  kind:
    | 'cutover'
    | 'keep-or-rollback'
    | 'verify-timeout'
    | 'rollback-verify-timeout'
    | 'teardown' = 'cutover',
) {
  const taskToken = newTaskToken();
  const { approvalId } = await requestApproval(
    {
      migrationId: MIGRATION_ID,
      planRef: PLAN_REF,
      kind,
      ...(kind === 'teardown' ? {} : { app: 'order-status' }),
      taskToken,
      executionId: EXECUTION_ID,
    },
    context,
  );
  const emailed = new URL(fx.lastLink());
  const link = new URL(
    `${emailed.pathname.slice(1)}${emailed.search}`,
    api.baseUrl,
  );
  return { approvalId, taskToken, link: link.toString() };
}

const nonceOf = (html: string) =>
  /name="nonce" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function post(
  link: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const res = await fetch(link, {
    method: 'POST',
    body: new URLSearchParams(fields),
    headers: { 'user-agent': 'approval-test/1.0', ...headers },
  });
  return { status: res.status, headers: res.headers, html: await res.text() };
}

async function get(link: string) {
  const res = await fetch(link);
  return { status: res.status, headers: res.headers, html: await res.text() };
}

function expectSecurityHeaders(headers: Headers) {
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("form-action 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
  expect(headers.get('cache-control')).toBe('no-store');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('content-type')).toBe('text/html; charset=utf-8');
}

describe('GET /approvals/{id}', () => {
  it('should show the question, the evidence and the form, and decide nothing', async () => {
    const { link, approvalId } = await openGate();
    for (let i = 0; i < 3; i++) {
      const page = await get(link);
      expect(page.status).toBe(200);
      expectSecurityHeaders(page.headers);
      expect(page.html).toContain('Move order-status to Amazon MSK now?');
      // The rules by their plain names, with value and threshold.
      expect(page.html).toContain('Copy delay');
      expect(page.html).toContain('1,250');
      expect(page.html).toContain('topic orders');
      expect(nonceOf(page.html)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    }
    expect(sfn.calls()).toHaveLength(0);
    expect((await fx.ledger.getApproval(approvalId))?.status).toBe('OPEN');
  });
});

describe('POST /approvals/{id}', () => {
  it('should decide once, record who, when and from where, and send the decision', async () => {
    const { link, approvalId, taskToken } = await openGate();
    const nonce = nonceOf((await get(link)).html);
    const res = await post(link, {
      nonce,
      decision: 'cutover',
      approver: 'Ada Operator',
      comment: 'Lag is flat.',
    });
    expect(res.status).toBe(200);
    expectSecurityHeaders(res.headers);
    expect(res.html).toContain('Decision recorded');
    expect(sfn).toReceiveCommandTimes(SendTaskSuccessCommand, 1);
    expect(sfn).toReceiveCommandWith(SendTaskSuccessCommand, {
      taskToken,
      output: JSON.stringify({
        decision: 'cutover',
        approver: 'Ada Operator',
        comment: 'Lag is flat.',
        approvalId,
      }),
    });
    const rec = await fx.ledger.getApproval(approvalId);
    expect(rec).toMatchObject({
      status: 'DECIDED',
      decision: 'cutover',
      approver: 'Ada Operator',
      comment: 'Lag is flat.',
      decidedAt: fx.clock.now().toISOString(),
      userAgent: 'approval-test/1.0',
    });
    expect(rec?.sourceIp).toMatch(/127\.0\.0\.1/);
    expect((await fx.ledger.getApp(MIGRATION_ID, 'order-status'))?.state).toBe(
      'CUTOVER_APPROVED',
    );
  });

  it('should leave the application where it is on postpone', async () => {
    const { link } = await openGate();
    const nonce = nonceOf((await get(link)).html);
    const before = await fx.ledger.getApp(MIGRATION_ID, 'order-status');
    await post(link, { nonce, decision: 'postpone', approver: 'Ada' });
    expect(sfn).toReceiveCommandTimes(SendTaskSuccessCommand, 1);
    expect(await fx.ledger.getApp(MIGRATION_ID, 'order-status')).toEqual(
      before,
    );
  });

  it('should refuse a second POST and never send a second decision', async () => {
    const { link } = await openGate();
    const nonce = nonceOf((await get(link)).html);
    const fields = { nonce, decision: 'cutover', approver: 'Ada' };
    expect((await post(link, fields)).status).toBe(200);
    const again = await post(link, { ...fields, decision: 'abort' });
    expect(again.status).toBe(409);
    expectSecurityHeaders(again.headers);
    expect(again.html).toContain('Already decided');
    expect(again.html).toContain('Cut over now');
    const reopened = await get(link);
    expect(reopened.html).toContain('Already decided');
    expect(sfn).toReceiveCommandTimes(SendTaskSuccessCommand, 1);
  });

  it('should let only one of two simultaneous POSTs decide', async () => {
    const { link } = await openGate();
    const nonce = nonceOf((await get(link)).html);
    const results = await Promise.all(
      ['cutover', 'abort'].map((decision) =>
        post(link, { nonce, decision, approver: 'Ada' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(sfn).toReceiveCommandTimes(SendTaskSuccessCommand, 1);
  });

  it.each([
    [
      'timed out',
      new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }),
    ],
    ['ended', new TaskDoesNotExist({ message: 'gone', $metadata: {} })],
  ])(
    'should say the gate already closed when Step Functions no longer waits (task %s)',
    async (_, error) => {
      sfn.on(SendTaskSuccessCommand).rejects(error);
      const { link, approvalId } = await openGate();
      const nonce = nonceOf((await get(link)).html);
      const res = await post(link, {
        nonce,
        decision: 'postpone',
        approver: 'Ada',
      });
      expect(res.status).toBe(409);
      expect(res.html).toContain('This gate already closed');
      const approval = await fx.ledger.getApproval(approvalId);
      expect(approval?.status).toBe('DECIDED');
      expect(approval?.delivery).toBe('gate-closed');
    },
  );

  it('should offer keep/rollback at the keep-or-rollback gate and send rollback', async () => {
    // The gate follows a verified cutover: the application is on the target.
    const app = await fx.ledger.getApp(MIGRATION_ID, 'order-status');
    if (app?.state !== 'CUTOVER_APPROVED') {
      await fx.ledger.transitionApp(
        MIGRATION_ID,
        'order-status',
        ['ON_SOURCE', 'ROLLED_BACK'],
        'CUTOVER_APPROVED',
      );
    }
    await fx.ledger.transitionApp(
      MIGRATION_ID,
      'order-status',
      ['CUTOVER_APPROVED'],
      'ON_TARGET',
    );
    const { link, approvalId } = await openGate('keep-or-rollback');
    const page = await get(link);
    expect(page.html).toContain(
      'Keep order-status on Amazon MSK, or roll it back?',
    );
    const res = await post(link, {
      nonce: nonceOf(page.html),
      decision: 'rollback',
      approver: 'Ada',
    });
    expect(res.status).toBe(200);
    expect((await fx.ledger.getApp(MIGRATION_ID, 'order-status'))?.state).toBe(
      'ROLLBACK_APPROVED',
    );
    expect(fx.successCalls().at(-1)?.output).toEqual({
      decision: 'rollback',
      approver: 'Ada',
      approvalId,
    });
  });
});

describe('verify-timeout gate', () => {
  /** order-status with a cutover approved and never verified. */
  async function approvedCutover() {
    const app = await fx.ledger.getApp(MIGRATION_ID, 'order-status');
    if (app?.state === 'CUTOVER_APPROVED') return;
    const path: Record<string, string[]> = {
      ON_TARGET: ['ROLLBACK_APPROVED', 'ROLLED_BACK'],
      ROLLBACK_APPROVED: ['ROLLED_BACK'],
    };
    let state = app?.state ?? 'ON_SOURCE';
    for (const next of path[state] ?? []) {
      await fx.ledger.transitionApp(
        MIGRATION_ID,
        'order-status',
        [state as never],
        next as never,
      );
      state = next as never;
    }
    await fx.ledger.transitionApp(
      MIGRATION_ID,
      'order-status',
      ['ON_SOURCE', 'ROLLED_BACK'],
      'CUTOVER_APPROVED',
    );
  }

  it('should ask for a reason before recording an unverified cutover as moved', async () => {
    await approvedCutover();
    const { link, approvalId } = await openGate('verify-timeout');
    const page = await get(link);
    expect(page.html).toContain(
      'The cutover of order-status was not verified in time',
    );
    expect(page.html).toContain('Keep waiting');
    const refused = await post(link, {
      nonce: nonceOf(page.html),
      decision: 'record-moved',
      approver: 'Ada',
    });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('Say why in the comment');
    expect(sfn.calls()).toHaveLength(0);
    expect((await fx.ledger.getApproval(approvalId))?.status).toBe('OPEN');
    const res = await post(link, {
      nonce: nonceOf(page.html),
      decision: 'record-moved',
      approver: 'Ada',
      comment: 'the producer is idle at night; its consumers run on MSK',
    });
    expect(res.status).toBe(200);
    expect((await fx.ledger.getApp(MIGRATION_ID, 'order-status'))?.state).toBe(
      'ON_TARGET',
    );
    expect(fx.successCalls().at(-1)?.output).toMatchObject({
      decision: 'record-moved',
      comment: 'the producer is idle at night; its consumers run on MSK',
    });
  });

  it('should record a rollback of a cutover never verified', async () => {
    await approvedCutover();
    const { link } = await openGate('verify-timeout');
    const page = await get(link);
    const res = await post(link, {
      nonce: nonceOf(page.html),
      decision: 'rollback',
      approver: 'Ada',
    });
    expect(res.status).toBe(200);
    expect((await fx.ledger.getApp(MIGRATION_ID, 'order-status'))?.state).toBe(
      'ROLLBACK_APPROVED',
    );
  });

  it('should leave the application where it is on keep-waiting', async () => {
    await approvedCutover();
    const { link } = await openGate('verify-timeout');
    const page = await get(link);
    const res = await post(link, {
      nonce: nonceOf(page.html),
      decision: 'keep-waiting',
      approver: 'Ada',
    });
    expect(res.status).toBe(200);
    expect((await fx.ledger.getApp(MIGRATION_ID, 'order-status'))?.state).toBe(
      'CUTOVER_APPROVED',
    );
  });
});

describe('refusals change nothing', () => {
  it('should refuse a tampered signature', async () => {
    const { link, approvalId } = await openGate();
    const nonce = nonceOf((await get(link)).html);
    const url = new URL(link);
    const sig = url.searchParams.get('sig') ?? '';
    url.searchParams.set(
      'sig',
      `${sig.slice(0, -3)}${sig.endsWith('AAA') ? 'BBB' : 'AAA'}`,
    );
    const page = await get(url.toString());
    expect(page.status).toBe(403);
    expectSecurityHeaders(page.headers);
    expect(page.html).toContain('This link is not valid');
    const res = await post(url.toString(), {
      nonce,
      decision: 'cutover',
      approver: 'Eve',
    });
    expect(res.status).toBe(403);
    expect(sfn.calls()).toHaveLength(0);
    expect((await fx.ledger.getApproval(approvalId))?.status).toBe('OPEN');
  });

  it('should refuse a link whose expiry was extended, or signed with another key', async () => {
    const { link, approvalId } = await openGate();
    const url = new URL(link);
    const [epoch, mac] = (url.searchParams.get('sig') ?? '').split('.');
    url.searchParams.set('sig', `${Number(epoch) + 86_400}.${mac}`);
    expect((await get(url.toString())).status).toBe(403);
    url.searchParams.set(
      'sig',
      signApproval(Buffer.alloc(32, 1), approvalId, new Date('2030-01-01')),
    );
    expect((await get(url.toString())).status).toBe(403);
    const missing = new URL(link);
    missing.search = '';
    expect((await get(missing.toString())).status).toBe(403);
  });

  it('should refuse an expired link with a clear page', async () => {
    const { link, approvalId } = await openGate();
    const nonce = nonceOf((await get(link)).html);
    fx.clock.advance(24 * 3_600_000);
    try {
      const page = await get(link);
      expect(page.status).toBe(410);
      expect(page.html).toContain('This link has expired');
      const res = await post(link, {
        nonce,
        decision: 'cutover',
        approver: 'Ada',
      });
      expect(res.status).toBe(410);
      expect(sfn.calls()).toHaveLength(0);
      expect((await fx.ledger.getApproval(approvalId))?.status).toBe('OPEN');
    } finally {
      fx.clock.advance(-24 * 3_600_000);
    }
  });

  it('should refuse a superseded link', async () => {
    const first = await openGate();
    const nonce = nonceOf((await get(first.link)).html);
    await openGate();
    const page = await get(first.link);
    expect(page.status).toBe(410);
    expect(page.html).toContain('This link was replaced');
    const res = await post(first.link, {
      nonce,
      decision: 'cutover',
      approver: 'Ada',
    });
    expect(res.status).toBe(410);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('should refuse a form without the page nonce (cross-site or scripted POST)', async () => {
    const { link, approvalId } = await openGate();
    for (const nonce of ['', 'forged-nonce-value-of-the-right-len']) {
      const res = await post(link, {
        nonce,
        decision: 'cutover',
        approver: 'Eve',
      });
      expect(res.status).toBe(403);
      expect(res.html).toContain('This form was not sent by the approval page');
    }
    expect(sfn.calls()).toHaveLength(0);
    expect((await fx.ledger.getApproval(approvalId))?.status).toBe('OPEN');
  });

  it('should ask for the approver name and keep what was typed', async () => {
    const { link } = await openGate();
    const nonce = nonceOf((await get(link)).html);
    const res = await post(link, {
      nonce,
      decision: 'cutover',
      approver: '  ',
      comment: 'kept <b>',
    });
    expect(res.status).toBe(400);
    expect(res.html).toContain('Enter your name');
    expect(res.html).toContain('kept &lt;b&gt;');
    expect(sfn.calls()).toHaveLength(0);
  });

  it('should refuse a decision the gate does not offer', async () => {
    const { link, approvalId } = await openGate();
    const nonce = nonceOf((await get(link)).html);
    const res = await post(link, {
      nonce,
      decision: 'teardown',
      approver: 'Ada',
    });
    expect(res.status).toBe(400);
    expect(res.html).toContain('is not a decision this gate offers');
    expect(sfn.calls()).toHaveLength(0);
    expect((await fx.ledger.getApproval(approvalId))?.status).toBe('OPEN');
  });

  it('should refuse a body that is not a form, and other methods', async () => {
    const { link } = await openGate();
    const json = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: 'cutover' }),
    });
    expect(json.status).toBe(415);
    const put = await fetch(link, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
    expectSecurityHeaders(put.headers);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('should answer 413, not 415, to a form over 16 KB, deciding nothing', async () => {
    const { link, approvalId } = await openGate();
    const nonce = nonceOf((await get(link)).html);
    const form = new URLSearchParams({
      nonce,
      decision: 'cutover',
      approver: 'Ada',
      comment: 'x'.repeat(16_384),
    }).toString();
    const big = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(big.status).toBe(413);
    expect(await big.text()).toContain('The form is too large');
    // Over the limit whatever the type: still 413.
    const bigJson = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(20_000),
    });
    expect(bigJson.status).toBe(413);
    expect(sfn.calls()).toHaveLength(0);
    expect((await fx.ledger.getApproval(approvalId))?.status).toBe('OPEN');
  });

  it('should answer 404 for a genuine signature of an unknown approval', async () => {
    const id = 'NoSuchApprovalIdAtAll1';
    const sig = signApproval(
      fx.signingKey,
      id,
      new Date('2026-11-25T00:00:00Z'),
    );
    const page = await get(`${api.baseUrl}approvals/${id}?sig=${sig}`);
    expect(page.status).toBe(404);
    expectSecurityHeaders(page.headers);
  });
});
