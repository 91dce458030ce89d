import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatIssue,
  formatPath,
  type PlanIssue,
  parsePlanText,
  validatePlan,
} from '../../../../functions/shared/domain/validate.ts';
import { cutoverConcurrency } from '../../../../functions/shared/domain/waves.ts';

const EVENTS = join(import.meta.dirname, '../../../../events');
const INVALID = join(EVENTS, 'invalid');
const sampleText = readFileSync(join(EVENTS, 'start-migration.json'), 'utf8');
const sample = () => JSON.parse(sampleText);

function issuesOf(text: string): PlanIssue[] {
  const result = parsePlanText(text);
  if (result.ok) throw new Error('expected the plan to be invalid');
  return result.issues;
}

/**
 * Each invalid example plan, with every issue it must produce (path and a
 * fragment of the message), in order. One problem class per file.
 */
const CORPUS: Record<string, [string, string][]> = {
  'unknown-field-typo': [
    ['replicaton', 'is not a known field; did you mean `replication`?'],
    ['replication', 'is required'],
  ],
  'unknown-nested-field': [
    [
      'applications[1].consumerGroup',
      'is not a known field; did you mean `consumerGroups`?',
    ],
  ],
  'starting-position-kind': [
    [
      'replication.startingPosition',
      'uses `Kind`, but the MSK Replicator API field is `Type`',
    ],
  ],
  'bad-migration-id': [['migrationId', '"Orders_Platform" must be lower-case']],
  'bad-region': [['region', '"us-east" is not an AWS region']],
  'broker-without-port': [['source.bootstrapBrokers[0]', 'is not host:port']],
  'bad-secret-arn': [
    ['source.saslScram.secretArn', 'is not a Secrets Manager secret ARN'],
  ],
  'bad-msk-cluster-arn': [
    ['target.mskClusterArn', 'is not an MSK cluster ARN'],
  ],
  'bad-subnet-id': [
    ['target.vpc.subnetIds[1]', '"subnet-12345" is not a subnet id'],
  ],
  'bad-security-group-id': [
    ['source.vpc.securityGroupIds[0]', '"sg-zzz" is not a security group id'],
  ],
  'bad-sasl-mechanism': [
    [
      'source.saslScram.mechanism',
      'must be one of "SHA256", "SHA512" (found "SHA1")',
    ],
  ],
  'bad-compression': [['replication.targetCompression', '(found "BROTLI")']],
  'bad-role-arn': [['serviceExecutionRoleArn', 'is not an IAM role ARN']],
  'secret-in-other-region': [
    [
      'source.saslScram.secretArn',
      "is in Region eu-west-1, but the plan's region is us-east-1",
    ],
  ],
  'cluster-in-other-region': [
    ['target.mskClusterArn', 'is in Region us-west-2'],
  ],
  'regex-does-not-compile': [
    ['replication.topics[0]', '`orders(` is not a valid regular expression'],
    ['applications[0].produces[0]', 'topic `orders` is not replicated'],
    ['applications[1].consumes[0]', 'topic `orders` is not replicated'],
  ],
  'topic-not-replicated': [
    [
      'applications[2].consumes[1]',
      'topic `payments` is not replicated: no pattern in replication.topics matches it',
    ],
  ],
  'topic-excluded': [
    [
      'applications[1].produces[0]',
      'excluded by replication.topicsToExclude (`order_.*`)',
    ],
    [
      'applications[2].consumes[0]',
      'excluded by replication.topicsToExclude (`order_.*`)',
    ],
  ],
  'group-not-replicated': [
    ['applications[2].consumerGroups[1]', 'group `billing` is not replicated'],
  ],
  'group-excluded': [
    [
      'applications[2].consumerGroups[0]',
      'excluded by replication.consumerGroupsToExclude (`customer-.*`)',
    ],
  ],
  'group-in-two-apps': [
    [
      'applications[2].consumerGroups[1]',
      'group `order-status` already belongs to application `order-status` (applications[1].consumerGroups[0])',
    ],
  ],
  'duplicate-application': [
    [
      'applications[3].name',
      'application `orders` is already defined at applications[0]',
    ],
  ],
  'cutover-order-unknown-app': [
    [
      'cutoverOrder[0]',
      '`order-statuss` is not an application; did you mean `order-status`?',
    ],
    ['cutoverOrder', 'missing `order-status`'],
  ],
  'cutover-order-duplicate': [
    ['cutoverOrder[1]', '`orders` is already listed at cutoverOrder[0]'],
    ['cutoverOrder', 'missing `order-status`'],
  ],
  'shards-with-top-level-topics': [
    ['replication.topics', 'must be absent when `replication.shards` is set'],
    [
      'replication.topicsToExclude',
      'must be absent when `replication.shards` is set',
    ],
  ],
  'shards-overlap': [
    ['applications[0].produces[0]', 'selected by shards `a`, `b`'],
    ['applications[1].produces[0]', 'selected by shards `a`, `b`'],
    ['applications[1].consumes[0]', 'selected by shards `a`, `b`'],
    ['applications[2].consumes[0]', 'selected by shards `a`, `b`'],
    ['replication.shards[0].topics[0]', 'also selected by shard `b`'],
    ['replication.shards[0].topics[1]', 'also selected by shard `b`'],
  ],
  'shard-name-duplicate': [
    [
      'replication.shards[1].name',
      'shard `a` is already defined at replication.shards[0]',
    ],
  ],
  'too-many-topics-per-replicator': [
    [
      'replication.topics',
      'lists 751 topics; one replicator copies at most 750',
    ],
  ],
  'topics-missing': [['replication.topics', 'is required']],
  'target-missing': [['target', 'is required']],
  'boolean-as-string': [
    ['replication.bidirectional', 'must be a boolean (found string "yes")'],
  ],
  'negative-threshold': [['readiness.maxMessageLag', 'must be > 0 (found -5)']],
  'poll-interval-too-short': [
    ['readiness.pollIntervalSeconds', 'must be >= 60 (found 10)'],
  ],
  'bad-email': [
    ['approvals.notifyEmails[0]', '"kafka-migration" is not an email address'],
  ],
  'bad-topic-name': [
    ['applications[0].produces[0]', '`orders!` is not a Kafka topic name'],
  ],
  'no-applications': [['applications', 'needs at least one application']],
  'not-json': [['', 'is not valid JSON']],
  'many-problems': [
    ['applications[2].owner', 'did you mean `owners`?'],
    ['replicaton', 'did you mean `replication`?'],
    ['migrationId', '"Orders" must be lower-case'],
    ['source.bootstrapBrokers[0]', '"kafka-1:port" is not host:port'],
    ['source.saslScram.mechanism', '(found "SHA1")'],
    ['replication.startingPosition', 'uses `Kind`'],
    ['readiness.sustainedMinutes', 'must be > 0 (found 0)'],
    ['applications[1].consumerGroups[0]', 'must be a string (found number 7)'],
  ],
};

describe('validatePlan', () => {
  it('accepts the published example with its defaults applied', () => {
    const result = validatePlan(sample());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([]);
    expect(result.plan.readiness.maxWaitHours).toBe(168);
    expect(cutoverConcurrency(result.plan)).toBe(1);
    expect(result.plan.source.clusterId).toBe('lkc-abc123');
    expect(result.plan.applications.map((a) => a.name)).toEqual([
      'orders',
      'order-status',
      'customer-notification',
    ]);
    expect(result.plan.cutoverOrder).toEqual([
      'order-status',
      'orders',
      'customer-notification',
    ]);
  });

  it('applies the documented defaults to a minimal plan', () => {
    const plan = sample();
    const { replication } = plan;
    plan.replication = { topics: replication.topics };
    delete plan.readiness;
    delete plan.approvals;
    delete plan.teardown;
    delete plan.source.tls;
    const result = validatePlan(plan);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan.replication).toMatchObject({
      consumerGroups: ['.*'],
      consumerGroupsToExclude: [],
      startingPosition: 'EARLIEST',
      reverseStartingPosition: 'LATEST',
      targetCompression: 'NONE',
      copyTopicConfigurations: true,
      copyAccessControlListsForTopics: true,
      detectAndCopyNewTopics: true,
      detectAndCopyNewConsumerGroups: true,
      bidirectional: true,
    });
    expect(result.plan.readiness).toEqual({
      maxMessageLag: 1000,
      maxReplicationLatencyMs: 90_000,
      maxSumOffsetLag: 1000,
      sustainedMinutes: 15,
      pollIntervalSeconds: 300,
      maxWaitHours: 168,
      stallMinutes: 60,
      failWhenStalled: false,
      verifyTimeoutMinutes: 60,
    });
    expect(result.plan.teardown).toEqual({
      rollbackWindowHours: 24,
      requireApproval: true,
    });
    expect(result.plan.source.tls).toEqual({});
  });

  it('has an expectation for every file of the invalid corpus', () => {
    const files = readdirSync(INVALID)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''));
    expect(files.sort()).toEqual(Object.keys(CORPUS).sort());
  });

  it.each(Object.entries(CORPUS))(
    'rejects %s, naming every problem',
    (name, expected) => {
      const issues = issuesOf(
        readFileSync(join(INVALID, `${name}.json`), 'utf8'),
      );
      expect(issues.map((i) => i.path)).toEqual(expected.map(([path]) => path));
      expected.forEach(([, fragment], i) => {
        expect(issues[i]?.message).toContain(fragment);
      });
    },
  );

  it('reports a `Kind` field itself as the API typo', () => {
    const plan = sample();
    plan.replication.Kind = 'EARLIEST';
    const issues = issuesOf(JSON.stringify(plan));
    expect(issues).toEqual([
      {
        path: 'replication.Kind',
        message: expect.stringContaining('says `Type`, not `Kind`'),
      },
    ]);
  });

  it('tells a plan that copied the API shape `{Type: ...}` to write the value', () => {
    const plan = sample();
    plan.replication.reverseStartingPosition = { Type: 'LATEST' };
    const issues = issuesOf(JSON.stringify(plan));
    expect(issues).toEqual([
      {
        path: 'replication.reverseStartingPosition',
        message:
          'is an object; in a plan write the value itself: "reverseStartingPosition": "LATEST"',
      },
    ]);
  });

  it('still applies the cross-field rules when the only other problems are unknown fields', () => {
    const plan = sample();
    plan.applications[0].owner = 'orders-team@example.com';
    plan.applications[2].consumes.push('payments');
    expect(issuesOf(JSON.stringify(plan))).toEqual([
      {
        path: 'applications[0].owner',
        message: 'is not a known field; did you mean `owners`?',
      },
      {
        path: 'applications[2].consumes[1]',
        message:
          'topic `payments` is not replicated: no pattern in replication.topics matches it',
      },
    ]);
  });

  it('lists the known fields when an unknown one is not a near miss', () => {
    const plan = sample();
    plan.teardown.whenever = true;
    const issues = issuesOf(JSON.stringify(plan));
    expect(issues[0]).toEqual({
      path: 'teardown.whenever',
      message:
        'is not a known field; known fields: rollbackWindowHours, requireApproval',
    });
  });

  it('describes wrong types, bounds and empty values in plain words', () => {
    const plan = sample();
    plan.readiness.maxMessageLag = 1.5;
    plan.approvals.linkTtlHours = 1000;
    plan.source.name = '';
    plan.teardown = null;
    expect(issuesOf(JSON.stringify(plan))).toEqual([
      { path: 'source.name', message: 'must not be empty' },
      {
        path: 'readiness.maxMessageLag',
        message: 'must be an integer (found number 1.5)',
      },
      {
        path: 'approvals.linkTtlHours',
        message: 'must be <= 168 (found 1000)',
      },
      { path: 'teardown', message: 'must be an object (found null)' },
    ]);
  });

  it('rejects a document that is not an object', () => {
    expect(issuesOf('[]')).toEqual([
      { path: '', message: 'must be an object (found an array)' },
    ]);
  });

  it('warns without failing when bidirectional is off or clusterId is unset', () => {
    const plan = sample();
    plan.replication.bidirectional = false;
    delete plan.source.clusterId;
    const result = validatePlan(plan);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    // The sample moves order-status before customer-notification, which
    // consumes what it produces: one-way, that is a warning too.
    expect(result.warnings.map((w) => w.path)).toEqual([
      'replication.bidirectional',
      'cutoverOrder',
      'source.clusterId',
    ]);
    expect(result.warnings[0]?.message).toContain(
      'rollback will not carry consumer offsets back',
    );
  });
});

describe('formatPath and formatIssue', () => {
  it('writes arrays with [index] and fields with dots', () => {
    expect(formatPath(['applications', 1, 'consumerGroups', 0])).toBe(
      'applications[1].consumerGroups[0]',
    );
    expect(formatPath(['tags', 'msk-cutover:shard'])).toBe(
      'tags["msk-cutover:shard"]',
    );
    expect(formatPath([])).toBe('');
  });

  it('prints one line per issue with its path', () => {
    expect(formatIssue({ path: 'region', message: 'is required' })).toBe(
      'region: is required',
    );
    expect(formatIssue({ path: '', message: 'is not valid JSON' })).toBe(
      '(plan) is not valid JSON',
    );
  });
});
