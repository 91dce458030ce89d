/**
 * approval-api on requests the local server never sends (a stage prefix
 * without path parameters, a base64 body, a capitalised header, no source
 * IP), on records the link outlives, and on failures behind the page: each
 * through the Lambda handler, with the gate's ledger on dynalite.
 */
import { readFileSync } from 'node:fs';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/approval-api/handler.ts';
import { createHandler as createRequestHandler } from '../../../functions/request-approval/handler.ts';
import {
  newApprovalId,
  signApproval,
} from '../../../functions/shared/approvals/link.ts';
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

/** The sample HTTP API (payload 2.0) event of events/handlers/. */
const SAMPLE = JSON.parse(
  readFileSync(
    new URL('../../../events/handlers/approval-api.json', import.meta.url),
    'utf-8',
  ),
) as APIGatewayProxyEventV2;

let fx: GateFixture;
let approvalApi: ReturnType<typeof createHandler>;
let requestApproval: ReturnType<typeof createRequestHandler>;

beforeAll(async () => {
  fx = await startGateFixture();
  useEnv(fx.env);
  requestApproval = createRequestHandler({ clock: fx.clock });
  approvalApi = createHandler({ clock: fx.clock });
});
afterAll(async () => {
  await fx.stop();
});
beforeEach(() => {
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
});

/** Opens a cutover gate; returns its id and the signature of its link. */
async function openGate(): Promise<{ approvalId: string; sig: string }> {
  const { approvalId } = await requestApproval(
    {
      migrationId: MIGRATION_ID,
      planRef: PLAN_REF,
      kind: 'cutover',
      app: 'order-status',
      taskToken: newTaskToken(),
      executionId: EXECUTION_ID,
    },
    context,
  );
  const sig = new URL(fx.lastLink()).searchParams.get('sig') ?? '';
  return { approvalId, sig };
}

interface Request {
  method?: 'GET' | 'POST';
  rawPath: string;
  sig?: string;
  /** Route parameters; absent as on a `$default` route. */
  pathParameters?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  sourceIp?: string;
  userAgent?: string;
}

/** The sample event, changed as `r` says, through the Lambda handler. */
async function invoke(r: Request): Promise<{ status: number; html: string }> {
  const method = r.method ?? 'GET';
  const { pathParameters: _, queryStringParameters: __, ...base } = SAMPLE;
  const event: APIGatewayProxyEventV2 = {
    ...base,
    routeKey: '$default',
    rawPath: r.rawPath,
    rawQueryString: r.sig ? `sig=${r.sig}` : '',
    headers: r.headers ?? {},
    ...(r.sig ? { queryStringParameters: { sig: r.sig } } : {}),
    ...(r.pathParameters ? { pathParameters: r.pathParameters } : {}),
    requestContext: {
      ...SAMPLE.requestContext,
      http: {
        ...SAMPLE.requestContext.http,
        method,
        path: r.rawPath,
        sourceIp: r.sourceIp ?? SAMPLE.requestContext.http.sourceIp,
        userAgent: r.userAgent ?? SAMPLE.requestContext.http.userAgent,
      },
    },
    ...(r.body === undefined ? {} : { body: r.body }),
    isBase64Encoded: r.isBase64Encoded ?? false,
  };
  const out = (await approvalApi(
    event,
    context,
  )) as APIGatewayProxyStructuredResultV2;
  return { status: out.statusCode ?? 0, html: String(out.body) };
}

const nonceOf = (html: string) =>
  /name="nonce" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe('the approval id in the path', () => {
  it('should find it after a stage prefix when the route has no parameters', async () => {
    const { approvalId, sig } = await openGate();
    const page = await invoke({
      rawPath: `/prod/approvals/${approvalId}`,
      sig,
    });
    expect(page.status).toBe(200);
    expect(page.html).toContain('Move order-status to Amazon MSK now?');
    expect(nonceOf(page.html)).not.toBe('');
  });

  it('should refuse a path without one, and a link without a signature', async () => {
    const { approvalId, sig } = await openGate();
    const noId = await invoke({ rawPath: '/prod/approvals/', sig });
    expect(noId.status).toBe(403);
    expect(noId.html).toContain('This link is not valid');
    const noSig = await invoke({ rawPath: `/approvals/${approvalId}` });
    expect(noSig.status).toBe(403);
    expect(noSig.html).toContain('This link is not valid');
    expect((await fx.ledger.getApproval(approvalId))?.status).toBe('OPEN');
  });
});

describe('the decision form', () => {
  it('should decide on a base64-encoded form with a capitalised Content-Type and no source address', async () => {
    const { approvalId, sig } = await openGate();
    const rawPath = `/approvals/${approvalId}`;
    const nonce = nonceOf((await invoke({ rawPath, sig })).html);
    const form = new URLSearchParams({
      nonce,
      decision: 'cutover',
      approver: 'Ada',
    }).toString();
    const res = await invoke({
      method: 'POST',
      rawPath,
      sig,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: Buffer.from(form).toString('base64'),
      isBase64Encoded: true,
      sourceIp: '',
      userAgent: '',
    });
    expect(res.status).toBe(200);
    expect(res.html).toContain('Decision recorded');
    const rec = await fx.ledger.getApproval(approvalId);
    expect(rec).toMatchObject({ status: 'DECIDED', decision: 'cutover' });
    expect(rec).not.toHaveProperty('sourceIp');
    expect(rec).not.toHaveProperty('userAgent');
    expect(sfn).toReceiveCommandTimes(SendTaskSuccessCommand, 1);
  });

  it('should measure a base64 body by its decoded size', async () => {
    const { approvalId, sig } = await openGate();
    const rawPath = `/approvals/${approvalId}`;
    const nonce = nonceOf((await invoke({ rawPath, sig })).html);
    const post = (comment: string) =>
      invoke({
        method: 'POST',
        rawPath,
        sig,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(
          new URLSearchParams({
            nonce,
            decision: 'postpone',
            approver: 'Ada',
            comment,
          }).toString(),
        ).toString('base64'),
        isBase64Encoded: true,
      });
    // Over 16 KiB once decoded: refused before it is read.
    const big = await post('x'.repeat(16_384));
    expect(big.status).toBe(413);
    expect(big.html).toContain('The form is too large');
    expect((await fx.ledger.getApproval(approvalId))?.status).toBe('OPEN');
    // About 13 KB decoded, more than 16 KiB as base64: a form, decided.
    const fits = await post('y'.repeat(13_000));
    expect(fits.status).toBe(200);
    expect((await fx.ledger.getApproval(approvalId))?.comment).toBe(
      'y'.repeat(1000),
    );
  });

  it('should refuse a POST without a content type, and one without a body', async () => {
    const { approvalId, sig } = await openGate();
    const rawPath = `/approvals/${approvalId}`;
    const untyped = await invoke({
      method: 'POST',
      rawPath,
      sig,
      body: 'decision=cutover&approver=Ada',
    });
    expect(untyped.status).toBe(415);
    expect(untyped.html).toContain('Not a form submission');
    const empty = await invoke({
      method: 'POST',
      rawPath,
      sig,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(empty.status).toBe(403);
    expect(empty.html).toContain('This form was not sent by the approval page');
    expect((await fx.ledger.getApproval(approvalId))?.status).toBe('OPEN');
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('a record the link outlives', () => {
  it('should show the record’s expiry and decide nothing once the record has expired', async () => {
    const { approvalId } = await openGate();
    const rec = await fx.ledger.getApproval(approvalId);
    if (!rec) throw new Error('no approval recorded');
    const rawPath = `/approvals/${approvalId}`;
    // A signature valid a day longer than the record.
    const expiresAt = Date.parse(rec.expiresAt);
    const sig = signApproval(
      fx.signingKey,
      approvalId,
      new Date(expiresAt + 86_400_000),
    );
    const nonce = nonceOf((await invoke({ rawPath, sig })).html);
    const saved = fx.clock.now();
    fx.clock.current = new Date(expiresAt);
    try {
      const page = await invoke({ rawPath, sig });
      expect(page.status).toBe(410);
      expect(page.html).toContain('This link has expired');
      expect(page.html).toContain(`stopped working at ${rec.expiresAt}`);
      const res = await invoke({
        method: 'POST',
        rawPath,
        sig,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          nonce,
          decision: 'cutover',
          approver: 'Ada',
        }).toString(),
      });
      expect(res.status).toBe(410);
      expect(sfn.calls()).toHaveLength(0);
      expect((await fx.ledger.getApproval(approvalId))?.status).toBe('OPEN');
    } finally {
      fx.clock.current = saved;
    }
  });
});

describe('failures behind the page', () => {
  it('should record the decision and say it is not delivered yet when Step Functions fails', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(
      Object.assign(new Error('Rate exceeded'), {
        name: 'ThrottlingException',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const { approvalId, sig } = await openGate();
    const rawPath = `/approvals/${approvalId}`;
    const nonce = nonceOf((await invoke({ rawPath, sig })).html);
    const res = await invoke({
      method: 'POST',
      rawPath,
      sig,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        nonce,
        decision: 'postpone',
        approver: 'Ada',
      }).toString(),
    });
    expect(res.status).toBe(202);
    expect(res.html).toContain('Decision recorded, not yet delivered');
    expect(res.html).toContain('ThrottlingException');
    const rec = await fx.ledger.getApproval(approvalId);
    expect(rec?.status).toBe('DECIDED');
    // Left for approval-reminders to send again.
    expect(rec).not.toHaveProperty('deliveredAt');
    const audit = await fx.ledger.listAudit(MIGRATION_ID);
    const mine = audit.filter((a) => a.detail.includes(approvalId));
    expect(mine.map((a) => a.event)).toContain('approval-undelivered');
    expect(mine.map((a) => a.event)).not.toContain('approval-decided');
  });

  it('should answer a plain 500 page, deciding nothing, when the token cannot be decrypted', async () => {
    const { approvalId } = await openGate();
    const rec = await fx.ledger.getApproval(approvalId);
    if (!rec) throw new Error('no approval recorded');
    // The same ciphertext under another approval id: KMS refuses it, since
    // the encryption context names the approval it was made for.
    const copyId = newApprovalId();
    await fx.ledger.putApproval({ ...rec, approvalId: copyId });
    const sig = signApproval(
      fx.signingKey,
      copyId,
      new Date(Date.parse(rec.expiresAt)),
    );
    const rawPath = `/approvals/${copyId}`;
    const nonce = nonceOf((await invoke({ rawPath, sig })).html);
    const res = await invoke({
      method: 'POST',
      rawPath,
      sig,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        nonce,
        decision: 'cutover',
        approver: 'Ada',
      }).toString(),
    });
    expect(res.status).toBe(500);
    expect(res.html).toContain('Something went wrong');
    expect(res.html).not.toContain('encryption context');
    expect((await fx.ledger.getApproval(copyId))?.status).toBe('OPEN');
    expect(sfn.calls()).toHaveLength(0);
  });

  it('should answer 500 for an approval whose migration is not in the ledger', async () => {
    const { approvalId } = await openGate();
    const rec = await fx.ledger.getApproval(approvalId);
    if (!rec) throw new Error('no approval recorded');
    const strayId = newApprovalId();
    await fx.ledger.putApproval({
      ...rec,
      approvalId: strayId,
      migrationId: 'no-such-migration',
    });
    const sig = signApproval(
      fx.signingKey,
      strayId,
      new Date(Date.parse(rec.expiresAt)),
    );
    const page = await invoke({ rawPath: `/approvals/${strayId}`, sig });
    expect(page.status).toBe(500);
    expect(page.html).toContain('Something went wrong');
    expect(page.html).not.toContain('no-such-migration');
  });
});
