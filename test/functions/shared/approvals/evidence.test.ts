import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  parityViews,
  ruleRows,
} from '../../../../functions/shared/approvals/evidence.ts';
import { renderGatePage } from '../../../../functions/shared/approvals/html.ts';
import {
  gateViewOf,
  summarizeEvidence,
} from '../../../../functions/shared/approvals/view.ts';
import { PlanSchema } from '../../../../functions/shared/domain/plan.ts';
import type {
  EvidenceRecord,
  GroupMeasurement,
} from '../../../../functions/shared/domain/types.ts';

const thresholds = {
  maxMessageLag: 1000,
  maxReplicationLatencyMs: 90_000,
  maxSumOffsetLag: 1000,
};

/** A readiness record's data as poll-readiness writes it (evidenceData). */
const pollData = {
  measurementId: 'measure-1',
  window: { from: '2026-11-24T09:54:00.000Z', to: '2026-11-24T10:00:00.000Z' },
  heldMinutes: 15,
  sustainedMinutes: 15,
  waitingSince: '2026-11-24T08:00:00.000Z',
  queries: 27,
  forecast: {
    outlook: 'on-time',
    readyAt: '2026-11-24T13:00:00.000Z',
    deadline: '2026-11-25T08:00:00.000Z',
    rules: [
      {
        rule: 'MessageLag',
        value: 4000,
        perSecond: -1,
        etaSeconds: 3000,
        text: 'MessageLag 4,000, falling 3,600/h: below 1,000 in about 50 min',
      },
    ],
  },
  failing: 1,
  worst: {
    ReplicatorFailure: 0,
    KafkaClusterPingSuccessCount: 1,
    MessageLag: 4000,
    ReplicationLatency: 850,
    TargetSumOffsetLag: 5,
    SourceSumOffsetLag: 17,
  },
  passed: {
    ReplicatorFailure: 2,
    KafkaClusterPingSuccessCount: 3,
    MessageLag: 3,
    ReplicationLatency: 4,
    TargetSumOffsetLag: 1,
    SourceSumOffsetLag: 1,
  },
  notes: [],
  outcomes: [
    {
      rule: 'MessageLag',
      subject: 'msk-cutover-orders-platform-fwd topic orders',
      ok: false,
      value: 4000,
      limit: 1000,
    },
    {
      rule: 'KafkaClusterPingSuccessCount',
      subject: 'msk-cutover-orders-platform-rev (target cluster a)',
      ok: false,
      value: 0,
      limit: 1,
    },
  ],
};

describe('readiness rules as the page shows them', () => {
  it('should give each rule a plain name, its worst value, threshold, unit and verdict', () => {
    const rows = ruleRows(pollData, thresholds);
    const by = Object.fromEntries(rows.map((r) => [r.rule, r]));
    expect(by.MessageLag).toMatchObject({
      name: 'Caught up (records not yet copied)',
      value: 4000,
      comparator: '≤',
      threshold: 1000,
      unit: 'records',
      verdict: 'fail',
      held: 3,
      failed: 1,
      failing: ['msk-cutover-orders-platform-fwd topic orders'],
    });
    expect(by.MessageLag?.trend).toBe(
      'falling 3,600/h: within the threshold in about 50 min',
    );
    // A rule that held takes its threshold from the plan.
    expect(by.ReplicationLatency).toMatchObject({
      name: 'Copy delay',
      value: 850,
      threshold: 90_000,
      unit: 'ms',
      verdict: 'pass',
    });
    expect(by.ReplicatorFailure).toMatchObject({
      value: 0,
      comparator: '=',
      threshold: 0,
      verdict: 'pass',
    });
    // The ping rule's worst value is the lowest, not `worst` (the highest).
    expect(by.KafkaClusterPingSuccessCount).toMatchObject({
      value: 0,
      threshold: 1,
      verdict: 'fail',
    });
    // Rules the poll did not judge are not shown.
    expect(by.AuthError).toBeUndefined();
    // No internal key reaches a name.
    expect(rows.map((r) => r.name).join(' ')).not.toMatch(
      /worst|passed|Sum|Kafka/,
    );
  });

  it('should keep the internal dump out of the other numbers', () => {
    const e = summarizeEvidence(
      {
        migrationId: 'm',
        evidenceId: 'readiness-1',
        at: '2026-11-24T10:00:00.000Z',
        kind: 'readiness',
        ready: false,
        reasons: [],
        data: pollData,
      },
      null,
      thresholds,
    );
    const names = e?.figures.map((f) => f.name) ?? [];
    expect(names).not.toContain('worst.ReplicatorFailure');
    expect(names).not.toContain('passed.MessageLag');
    expect(names).not.toContain('queries');
    expect(names).not.toContain('window.from');
    expect(e?.sustained).toEqual({ held: 15, needed: 15 });
    expect(e?.forecast?.text).toContain('around 2026-11-24 13:00 UTC');
  });
});

const side = (lag: number | null, members = 0) => ({
  state: members > 0 ? 'Stable' : 'Empty',
  members,
  sumOffsetLag: lag,
  byTopic: {},
});

describe('offset parity as a consequence', () => {
  it('should say "Source lag 50 / MSK lag 800" means about 750 records read again, none missed', () => {
    const [p] = parityViews(
      [{ group: 'g', source: side(50, 3), target: side(800) }],
      undefined,
      0,
    );
    expect(p).toMatchObject({ reread: 750, couldMiss: 0, warn: false });
    expect(p?.text).toBe(
      'On MSK the group resumes about 750 records earlier: those records are read again (duplicates, no loss). Records it could miss: none.',
    );
  });

  it('should add up the partitions of a measured group and name what it could miss', () => {
    const parity = {
      g: [
        {
          topic: 't',
          partition: 0,
          sourceCommitted: '10',
          targetCommitted: '8',
          duplicateWindow: 30,
        },
        {
          topic: 't',
          partition: 1,
          sourceCommitted: '10',
          targetCommitted: '8',
          duplicateWindow: 12,
        },
        {
          topic: 't',
          partition: 2,
          sourceCommitted: '10',
          targetCommitted: '8',
          duplicateWindow: -5,
        },
      ],
    };
    const groups: GroupMeasurement[] = [
      { group: 'g', source: side(100, 1), target: side(137) },
    ];
    const [copying] = parityViews(groups, parity, 40);
    expect(copying).toMatchObject({ reread: 42, couldMiss: 5, warn: true });
    expect(copying?.text).toContain('Records it could miss: up to 5');
    expect(copying?.text).toContain('40 records not yet copied');
    const [caughtUp] = parityViews(groups, parity, 0);
    expect(caughtUp?.text).toContain('so they would be skipped');
  });

  it('should flag partitions whose offsets have not reached MSK', () => {
    const [p] = parityViews(
      [{ group: 'g', source: side(10, 1), target: side(null) }],
      {
        g: [
          {
            topic: 't',
            partition: 0,
            sourceCommitted: '10',
            targetCommitted: null,
            duplicateWindow: null,
          },
        ],
      },
      0,
    );
    expect(p?.unsynced).toBe(1);
    expect(p?.warn).toBe(true);
    expect(p?.text).toContain('auto.offset.reset');
  });

  it('should read the migration-wide summary as per-partition values', () => {
    const [p] = parityViews(
      [{ group: 'g', source: side(10, 1), target: side(20) }],
      { g: { partitions: 4, unsynced: 0, minWindow: 0, maxWindow: 9 } },
      0,
    );
    expect(p).toMatchObject({ reread: 9, couldMiss: 0 });
    expect(p?.text).toContain('(largest on one partition)');
  });
});

const plan = PlanSchema.parse(
  JSON.parse(
    readFileSync(
      new URL('../../../../events/start-migration.json', import.meta.url),
      'utf-8',
    ),
  ),
);
const readiness = (ready: boolean): EvidenceRecord => ({
  migrationId: plan.migrationId,
  evidenceId: 'readiness-1',
  at: '2026-11-24T10:00:00.000Z',
  kind: 'readiness',
  app: 'order-status',
  ready,
  reasons: ready ? [] : ['MessageLag 4,000 > 1,000'],
  data: ready ? { ...pollData, outcomes: [], failing: 0 } : pollData,
});
const approval = {
  approvalId: 'AbCdEfGhIjKlMnOpQrStUv',
  kind: 'cutover' as const,
  app: 'order-status',
  createdAt: '2026-11-24T10:00:00.000Z',
  expiresAt: '2026-11-25T10:00:00.000Z',
};

describe('the gate view', () => {
  it('should recommend cutting over only on ready evidence', () => {
    const go = gateViewOf(
      plan,
      approval,
      summarizeEvidence(readiness(true), null, plan.readiness),
      'b-1.msk:9098',
    );
    expect(go.recommendation.tone).toBe('go');
    const wait = gateViewOf(
      plan,
      approval,
      summarizeEvidence(readiness(false), null, plan.readiness),
      'b-1.msk:9098',
    );
    expect(wait.recommendation).toEqual({
      tone: 'wait',
      text: 'Postpone: not ready (Both clusters reachable, Caught up (records not yet copied) failing).',
    });
    expect(gateViewOf(plan, approval, null, null).recommendation.tone).toBe(
      'wait',
    );
  });

  it('should give the client settings of each direction as a properties block', () => {
    const v = gateViewOf(plan, approval, null, 'b-1.msk:9098,b-2.msk:9098');
    expect(v.clientSettings.map((c) => c.direction)).toEqual([
      'cutover',
      'rollback',
    ]);
    const [toMsk, toSource] = v.clientSettings;
    expect(toMsk?.properties.split('\n').slice(0, 5)).toEqual([
      'bootstrap.servers=b-1.msk:9098,b-2.msk:9098',
      'security.protocol=SASL_SSL',
      'sasl.mechanism=AWS_MSK_IAM',
      'sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;',
      'sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler',
    ]);
    expect(toSource?.properties.split('\n').slice(0, 3)).toEqual([
      `bootstrap.servers=${plan.source.bootstrapBrokers.join(',')}`,
      'security.protocol=SASL_SSL',
      `sasl.mechanism=SCRAM-SHA-${plan.source.saslScram.mechanism.slice(3)}`,
    ]);
    // Unknown brokers are a comment, never an empty bootstrap.servers.
    const unknown = gateViewOf(plan, approval, null, null).clientSettings[0];
    expect(unknown?.properties).not.toMatch(/^bootstrap\.servers=$/m);
    expect(unknown?.properties).toContain('View client information');
    // Keep-or-rollback offers the way back first; teardown moves no client.
    expect(
      gateViewOf(plan, { ...approval, kind: 'keep-or-rollback' }, null, null)
        .clientSettings[0]?.direction,
    ).toBe('rollback');
    expect(
      gateViewOf(
        plan,
        { ...approval, kind: 'teardown', app: undefined },
        null,
        null,
      ).clientSettings,
    ).toEqual([]);
  });

  it('should escape hostile plan names and evidence values on the page', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const hostile = PlanSchema.parse({
      ...JSON.parse(JSON.stringify(plan)),
      source: { ...plan.source, name: `${evil}"'` },
      applications: plan.applications.map((a) =>
        a.name === 'order-status' ? { ...a, consumerGroups: [`${evil}`] } : a,
      ),
    });
    const e = summarizeEvidence(
      {
        ...readiness(false),
        reasons: [evil],
        data: {
          ...pollData,
          outcomes: [{ ...pollData.outcomes[0], subject: evil }],
          notes: [evil],
        },
      },
      {
        migrationId: plan.migrationId,
        evidenceId: 'measure-1',
        at: '2026-11-24T10:00:00.000Z',
        kind: 'measure',
        reasons: [],
        data: {
          groups: [
            {
              group: evil,
              source: { ...side(50, 1), byTopic: { [evil]: 50 } },
              target: side(800),
            },
          ],
        },
      },
      hostile.readiness,
    );
    const html = renderGatePage(gateViewOf(hostile, approval, e, evil), {
      action: 'a',
      nonce: 'n',
      overview: `../overview/x?sig=${evil}`,
    });
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toMatch(/<script/i);
  });
});
