import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  SECURITY_HEADERS,
  STYLE_HASH,
} from '../../../../functions/shared/approvals/headers.ts';
import {
  escapeHtml,
  renderGatePage,
  renderMessagePage,
} from '../../../../functions/shared/approvals/html.ts';
import {
  type GateView,
  summarizeEvidence,
  withDerived,
} from '../../../../functions/shared/approvals/view.ts';
import type { EvidenceRecord } from '../../../../functions/shared/ports.ts';

const readiness: EvidenceRecord = {
  migrationId: 'orders-platform',
  evidenceId: 'readiness-0042',
  at: '2026-11-24T10:00:00.000Z',
  kind: 'readiness',
  app: 'order-status',
  ready: true,
  reasons: [],
  data: {
    messageLag: 12,
    replicationLatencyMs: 850.5,
    replicatorFailure: 0,
    measurementId: 'measure-0042',
    nested: { authErrors: 0, deep: { deeper: { ignored: 1 } } },
    series: [1, 2, 3],
  },
};
const measurement: EvidenceRecord = {
  migrationId: 'orders-platform',
  evidenceId: 'measure-0042',
  at: '2026-11-24T09:59:30.000Z',
  kind: 'measure',
  reasons: [],
  data: {
    groups: [
      {
        group: 'order-status',
        source: {
          state: 'Stable',
          members: 3,
          sumOffsetLag: 1234,
          byTopic: { orders: 1234 },
        },
        target: {
          state: 'Empty',
          members: 0,
          sumOffsetLag: null,
          byTopic: {},
        },
      },
      { group: 'bogus', source: 'not a side', target: null },
    ],
  },
};

function view(overrides: Partial<GateView> = {}): GateView {
  return withDerived({
    migrationId: 'orders-platform',
    approvalId: 'AbCdEfGhIjKlMnOpQrStUv',
    kind: 'cutover',
    app: 'order-status',
    produces: ['order_status'],
    consumes: ['orders'],
    consumerGroups: ['order-status'],
    sourceName: 'onprem-kafka',
    sourceBrokers: ['kafka-1.onprem.example.com:9096'],
    sourceMechanism: 'SCRAM-SHA-512',
    sourcePrivateCa: false,
    targetClusterArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/x/y',
    targetBrokers: 'b-1.msk.example.com:9098,b-2.msk.example.com:9098',
    replicators: ['msk-cutover-orders-platform-fwd'],
    createdAt: '2026-11-24T10:00:00.000Z',
    expiresAt: '2026-11-25T10:00:00.000Z',
    evidence: summarizeEvidence(readiness, measurement),
    applications: [],
    ...overrides,
  });
}

describe('evidence summary', () => {
  it('should keep the numbers, the verdict and the valid group rows', () => {
    const e = summarizeEvidence(readiness, measurement);
    expect(e?.evidenceId).toBe('readiness-0042');
    expect(e?.ready).toBe(true);
    expect(e?.figures).toContainEqual({ name: 'messageLag', value: '12' });
    expect(e?.figures).toContainEqual({
      name: 'replicationLatencyMs',
      value: '850.5',
    });
    expect(e?.figures).toContainEqual({
      name: 'nested.authErrors',
      value: '0',
    });
    expect(e?.figures.map((f) => f.name)).not.toContain(
      'nested.deep.deeper.ignored',
    );
    expect(e?.groups.map((g) => g.group)).toEqual(['order-status']);
  });

  it('should say there is no evidence rather than invent zero lag', () => {
    expect(summarizeEvidence(null, null)).toBeNull();
    const html = renderGatePage(view({ evidence: null }), {
      action: 'x?sig=1',
      nonce: 'n',
    });
    expect(html).toContain('No readiness evidence was recorded');
  });
});

describe('gate page', () => {
  it('should show the question, evidence, lag per group and topic, and only this gate’s buttons', () => {
    const html = renderGatePage(view(), {
      action: 'AbCdEfGhIjKlMnOpQrStUv?sig=1.abc',
      nonce: 'nonce-123',
    });
    expect(html).toContain('Move order-status to Amazon MSK now?');
    expect(html).toContain('replicationLatencyMs');
    expect(html).toContain('1,234');
    expect(html).toContain('topic orders');
    expect(html).toContain('no data');
    expect(html).toContain('b-1.msk.example.com:9098');
    expect(html).toMatch(
      /<form method="post" action="AbCdEfGhIjKlMnOpQrStUv\?sig=1.abc">/,
    );
    expect(html).toContain('name="nonce" value="nonce-123"');
    expect(html).toMatch(/name="approver" required/);
    const decisions = [
      ...html.matchAll(/name="decision" value="([^"]+)"/g),
    ].map((m) => m[1]);
    expect(decisions).toEqual(['cutover', 'postpone', 'skip', 'abort']);
  });

  it('should offer keep/rollback and teardown decisions on those gates', () => {
    const k = renderGatePage(view({ kind: 'keep-or-rollback' }), {
      action: 'a',
      nonce: 'n',
    });
    expect(
      [...k.matchAll(/name="decision" value="([^"]+)"/g)].map((m) => m[1]),
    ).toEqual(['keep', 'rollback']);
    const t = renderGatePage(view({ kind: 'teardown', app: undefined }), {
      action: 'a',
      nonce: 'n',
    });
    expect(t).toContain('Delete the replicators and end the migration?');
    expect(
      [...t.matchAll(/name="decision" value="([^"]+)"/g)].map((m) => m[1]),
    ).toEqual(['teardown', 'keep-replicators']);
  });

  it('should escape everything that comes from plans, ledger and requests', () => {
    const evil = '<script>alert("x")</script>';
    const html = renderGatePage(
      view({ app: evil, note: evil, produces: [evil] }),
      {
        action: `"><img src=x>`,
        nonce: '"',
        approver: evil,
        comment: evil,
        error: evil,
      },
    );
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(
      renderMessagePage({
        title: evil,
        message: evil,
        tone: 'bad',
        details: [[evil, evil]],
      }),
    ).not.toContain('<script>');
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('should be readable on a phone and allow its only stylesheet by hash', () => {
    const html = renderMessagePage({
      title: 'Done',
      message: 'ok',
      tone: 'ok',
    });
    expect(html).toContain('name="viewport" content="width=device-width');
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const hash = createHash('sha256').update(style).digest('base64');
    expect(STYLE_HASH).toBe(`'sha256-${hash}'`);
    expect(SECURITY_HEADERS['content-security-policy']).toContain(
      `style-src 'sha256-${hash}'`,
    );
    expect(html).not.toContain('<script');
  });

  it('should send the security headers the page relies on', () => {
    const csp = SECURITY_HEADERS['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(SECURITY_HEADERS['cache-control']).toBe('no-store');
    expect(SECURITY_HEADERS['referrer-policy']).toBe('no-referrer');
    expect(SECURITY_HEADERS['x-content-type-options']).toBe('nosniff');
  });
});
