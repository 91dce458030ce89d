import { describe, expect, it } from 'vitest';
import { buildApprovalEmail } from '../../../../functions/shared/approvals/email.ts';
import {
  type GateView,
  summarizeEvidence,
  withDerived,
} from '../../../../functions/shared/approvals/view.ts';

const base: GateView = withDerived({
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
  targetBrokers: 'b-1.msk.example.com:9098',
  replicators: [
    'msk-cutover-orders-platform-fwd',
    'msk-cutover-orders-platform-rev',
  ],
  createdAt: '2026-11-24T10:00:00.000Z',
  expiresAt: '2026-11-25T10:00:00.000Z',
  evidence: summarizeEvidence(
    {
      migrationId: 'orders-platform',
      evidenceId: 'ev-1',
      at: '2026-11-24T09:59:00.000Z',
      kind: 'readiness',
      ready: false,
      reasons: ['MessageLag 12,400 > 1,000 on msk-cutover-orders-platform-fwd'],
      data: { messageLag: 12400 },
    },
    null,
  ),
  applications: [],
});
const link = 'https://api.example.com/approvals/AbCdEfGhIjKlMnOpQrStUv?sig=1.x';

describe('approval email', () => {
  it('should name the migration, the gate and the app in the subject', () => {
    expect(buildApprovalEmail(base, link).subject).toBe(
      '[msk-cutover] orders-platform: approve cutover of order-status',
    );
    expect(
      buildApprovalEmail({ ...base, kind: 'teardown', app: undefined }, link)
        .subject,
    ).toBe('[msk-cutover] orders-platform: approve teardown');
    expect(buildApprovalEmail(base, link, true).subject).toMatch(/^Reminder: /);
  });

  it('should say where to switch, how to verify, how to roll back, with the numbers and one link', () => {
    const { body } = buildApprovalEmail(base, link);
    expect(body).toContain('bootstrap.servers=b-1.msk.example.com:9098');
    expect(body).toContain('sasl.mechanism=AWS_MSK_IAM');
    expect(body).toMatch(/Verify: /);
    expect(body).toMatch(/Roll back: .*kafka-1\.onprem\.example\.com:9096/);
    expect(body).toContain('NOT READY');
    expect(body).toContain('MessageLag 12,400 > 1,000');
    expect(body).toContain('messageLag: 12,400');
    expect(body.split(link).length - 1).toBe(1);
    expect(body).toContain('opening it changes nothing');
    expect(body).toContain(
      'msk-cutover approve orders-platform --app order-status',
    );
  });

  it('should carry the read-only overview link after the gate’s link, and the settings to copy', () => {
    const overview =
      'https://api.example.com/overview/orders-platform?sig=2.overview';
    const { body } = buildApprovalEmail(
      { ...base, overviewUrl: overview },
      link,
    );
    expect(body.indexOf(overview)).toBeGreaterThan(body.indexOf(link));
    expect(body).toContain('read-only (decides nothing');
    expect(body).toContain(
      'Cut over: the settings on Amazon MSK:\n  bootstrap.servers=b-1.msk.example.com:9098\n  security.protocol=SASL_SSL\n  sasl.mechanism=AWS_MSK_IAM',
    );
    expect(body).toContain(
      'Roll back: the settings on the source cluster:\n  bootstrap.servers=kafka-1.onprem.example.com:9096',
    );
    expect(buildApprovalEmail(base, link).body).not.toContain('/overview/');
  });

  it('should point to the console when the target brokers are unknown', () => {
    const { body } = buildApprovalEmail({ ...base, targetBrokers: null }, link);
    expect(body).toContain('View client information');
  });

  it('should list the replicators a teardown deletes', () => {
    const { body } = buildApprovalEmail(
      { ...base, kind: 'teardown', app: undefined },
      link,
    );
    expect(body).toContain('msk-cutover-orders-platform-rev');
    expect(body).toContain('Rollback to onprem-kafka is no longer possible');
  });
});
