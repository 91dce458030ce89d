/**
 * The read-only overview behind the second link of every email: the real
 * approval-api handler on the local server, the ledger on dynalite.
 */
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/approval-api/handler.ts';
import {
  type LocalApprovalApi,
  serveApprovalApi,
} from '../../../functions/approval-api/local-server.ts';
import { createHandler as createRequestHandler } from '../../../functions/request-approval/handler.ts';
import { OVERVIEW_SCRIPT_HASH } from '../../../functions/shared/approvals/headers.ts';
import { signOverview } from '../../../functions/shared/approvals/link.ts';
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

/** The local server's URL for a link of the email. */
const local = (link: string) => {
  const u = new URL(link);
  return new URL(`${u.pathname.slice(1)}${u.search}`, api.baseUrl).toString();
};

async function openGate() {
  const taskToken = newTaskToken();
  const { approvalId } = await requestApproval(
    {
      migrationId: MIGRATION_ID,
      planRef: PLAN_REF,
      kind: 'cutover',
      app: 'order-status',
      taskToken,
      executionId: EXECUTION_ID,
    },
    context,
  );
  const body = fx.lastEmail().body;
  const overview = /(https?:\/\/\S+\/overview\/\S+)/.exec(body)?.[1];
  if (!overview) throw new Error('the email carries no overview link');
  return {
    approvalId,
    taskToken,
    approvalLink: local(fx.lastLink()),
    overviewLink: local(overview),
    emailed: overview,
  };
}

function expectOverviewHeaders(headers: Headers) {
  const csp = headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain(`script-src ${OVERVIEW_SCRIPT_HASH}`);
  expect(csp).toContain("connect-src 'self'");
  expect(csp).toContain("form-action 'none'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(headers.get('cache-control')).toBe('no-store');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('x-content-type-options')).toBe('nosniff');
}

describe('GET /overview/{migrationId}', () => {
  it('should show the whole migration read-only, link the open gate to its own page, and carry no secret', async () => {
    const { overviewLink, emailed, taskToken, approvalId } = await openGate();
    expect(emailed).toMatch(
      /^https:\/\/approvals\.example\.com\/overview\/orders-platform\?sig=\d+\.[A-Za-z0-9_-]{43}$/,
    );
    const res = await fetch(overviewLink);
    expect(res.status).toBe(200);
    expectOverviewHeaders(res.headers);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<h1>Migration orders-platform</h1>');
    for (const app of ['order-status', 'orders', 'customer-notification']) {
      expect(html).toContain(app);
    }
    expect(html).toContain('on the source');
    expect(html).toContain('Open gates');
    expect(html).not.toMatch(/<form/i);
    expect(html).not.toContain(taskToken);
    expect(html).not.toContain(fx.signingKey.toString('base64'));
    const approval = await fx.ledger.getApproval(approvalId);
    expect(html).not.toContain(approval?.formNonce);
    // The open gate links to its own page, which opens (and decides there).
    const page = /href="(\.\.\/approvals\/[^"]+)"/.exec(html)?.[1] ?? '';
    expect(page).toContain(approvalId);
    const gate = await fetch(
      new URL(page.replaceAll('&amp;', '&'), overviewLink),
    );
    expect(gate.status).toBe(200);
    expect(await gate.text()).toContain('Move order-status to Amazon MSK now?');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('should answer its JSON form, with the same headers, for the refresh', async () => {
    const { overviewLink } = await openGate();
    const res = await fetch(overviewLink, {
      headers: { accept: 'application/json' },
    });
    expect(res.status).toBe(200);
    expectOverviewHeaders(res.headers);
    expect(res.headers.get('content-type')).toBe(
      'application/json; charset=utf-8',
    );
    const data = (await res.json()) as {
      overview: {
        migrationId: string;
        waves: {
          name: string | null;
          apps: { app: string; state: string }[];
        }[];
        openGates: { app: string; deadline: string; page: string }[];
      };
      html: string;
    };
    expect(data.overview.migrationId).toBe(MIGRATION_ID);
    expect(data.overview.waves[0]?.name).toBeNull();
    expect(data.overview.waves[0]?.apps.map((a) => a.app)).toEqual([
      'order-status',
      'orders',
      'customer-notification',
    ]);
    expect(data.overview.openGates.at(-1)?.app).toBe('order-status');
    expect(data.html).toContain('Open gates');
    expect(data.html).not.toContain('<script');
  });

  it('should refuse an expired, a tampered, another migration’s or an approval’s signature', async () => {
    const { overviewLink, approvalLink, approvalId } = await openGate();
    const u = new URL(overviewLink);
    const sig = u.searchParams.get('sig') ?? '';

    const expired = new URL(u);
    expired.searchParams.set(
      'sig',
      signOverview(
        fx.signingKey,
        MIGRATION_ID,
        new Date(fx.clock.now().getTime() - 1000),
      ),
    );
    const e = await fetch(expired);
    expect(e.status).toBe(410);
    expect(await e.text()).toContain('This link has expired');

    const tampered = new URL(u);
    tampered.searchParams.set(
      'sig',
      `${sig.slice(0, -4)}${sig.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`,
    );
    expect((await fetch(tampered)).status).toBe(403);

    const longer = new URL(u);
    longer.searchParams.set(
      'sig',
      `${Number(sig.split('.')[0]) + 86_400}.${sig.split('.')[1]}`,
    );
    expect((await fetch(longer)).status).toBe(403);

    // Another migration's path with this migration's signature.
    const other = new URL(overviewLink.replace(MIGRATION_ID, 'payments'));
    expect((await fetch(other)).status).toBe(403);

    // An approval link's signature does not open the overview …
    const approvalSig = new URL(approvalLink).searchParams.get('sig') ?? '';
    const withApprovalSig = new URL(u);
    withApprovalSig.searchParams.set('sig', approvalSig);
    const a = await fetch(withApprovalSig);
    expect(a.status).toBe(403);
    expect(await a.text()).toContain('This link is not valid');

    // … and the overview's signature opens no gate.
    const gate = new URL(approvalLink);
    gate.searchParams.set('sig', sig);
    expect((await fetch(gate)).status).toBe(403);
    expect((await fetch(gate, { method: 'POST' })).status).toBe(403);
    expect((await fx.ledger.getApproval(approvalId))?.status).toBe('OPEN');
  });

  it('should refuse to be posted to: the overview decides nothing', async () => {
    const { overviewLink, approvalId } = await openGate();
    const approval = await fx.ledger.getApproval(approvalId);
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const res = await fetch(overviewLink, {
        method,
        body: new URLSearchParams({
          decision: 'cutover',
          approver: 'Mallory',
          nonce: approval?.formNonce ?? '',
        }),
      });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect((await fx.ledger.getApproval(approvalId))?.status).toBe('OPEN');
  });
});
