import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCliFiles } from '../../../../functions/shared/domain/import-cli.ts';
import { validatePlan } from '../../../../functions/shared/domain/validate.ts';

const FIXTURES = join(import.meta.dirname, '../../../fixtures/import-cli');
const load = (name: string): unknown =>
  JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));

function imported(
  info = 'replication-info.json',
  clusters = 'kafka-clusters.json',
) {
  const result = importCliFiles(load(clusters), load(info));
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result;
}

describe('importCliFiles', () => {
  it('drafts a plan from the walkthrough files', () => {
    const { plan } = imported();
    expect(plan).toEqual({
      migrationId: 'express-target',
      region: 'us-east-1',
      source: {
        name: 'external-kafka',
        clusterId: 'lkc-abc123',
        bootstrapBrokers: [
          'kafka-1.onprem.example.com:9096',
          'kafka-2.onprem.example.com:9096',
        ],
        saslScram: {
          mechanism: 'SHA512',
          secretArn:
            'arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_replicator-AbCdEf',
        },
        // The CA is the SCRAM secret's `certificate` key: nothing separate.
        tls: {},
        vpc: { subnetIds: [], securityGroupIds: [] },
      },
      target: {
        mskClusterArn:
          'arn:aws:kafka:us-east-1:123456789012:cluster/Express-Target/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-2',
        vpc: {
          subnetIds: ['subnet-0a1b2c3d4e5f60011', 'subnet-0a1b2c3d4e5f60012'],
          securityGroupIds: ['sg-0a1b2c3d4e5f60011'],
        },
      },
      replication: {
        topics: ['.*'],
        topicsToExclude: [],
        consumerGroups: ['.*'],
        consumerGroupsToExclude: [],
        bidirectional: true,
        startingPosition: 'EARLIEST',
        targetCompression: 'NONE',
        copyTopicConfigurations: true,
        copyAccessControlListsForTopics: true,
        detectAndCopyNewTopics: true,
        detectAndCopyNewConsumerGroups: true,
      },
      applications: [],
    });
  });

  it('says what it could not infer, including the missing source VPC', () => {
    const { notInferred } = imported();
    expect(notInferred.map((n) => n.split(':')[0])).toEqual([
      'source.vpc',
      'applications',
      'cutoverOrder',
      'approvals.notifyEmails',
    ]);
    expect(notInferred[0]).toContain(
      'kafka-clusters.json[0].VpcConfig is missing',
    );
  });

  it('gives a draft whose only remaining problems are the parts it could not infer', () => {
    const result = validatePlan(imported().plan);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path)).toEqual([
      'source.vpc.subnetIds',
      'source.vpc.securityGroupIds',
      'applications',
    ]);
  });

  it('rejects `StartingPosition.Kind` and names the fix', () => {
    const result = importCliFiles(
      load('kafka-clusters.json'),
      load('replication-info-kind.json'),
    );
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          path: 'replication-info.json[0].TopicReplication.StartingPosition.Kind',
          message: expect.stringContaining(
            'the MSK Replicator API field is `Type`, not `Kind`',
          ),
        },
      ],
    });
  });

  it('reads the camelCase of the documentation examples and notes what it changed', () => {
    const { plan, notes } = imported('replication-info-camel.json');
    expect(plan.replication).toEqual({
      topics: ['orders', 'payments.*'],
      topicsToExclude: ['payments\\.tmp'],
      consumerGroups: ['orders-.*'],
      consumerGroupsToExclude: [],
      bidirectional: false,
      startingPosition: 'LATEST',
      targetCompression: 'GZIP',
      copyTopicConfigurations: false,
      copyAccessControlListsForTopics: true,
      detectAndCopyNewTopics: false,
    });
    expect(notes.join('\n')).toContain(
      'is PREFIXED_WITH_SOURCE_CLUSTER_ALIAS; msk-cutover always uses IDENTICAL',
    );
    expect(notes.join('\n')).toContain('the draft sets bidirectional false');
  });

  it('treats a reverse replicator file as the reverse starting position', () => {
    const info = load('replication-info.json') as Record<string, unknown>[];
    const first = info[0] as Record<string, unknown>;
    first.SourceKafkaClusterArn = first.TargetKafkaClusterArn;
    first.TargetKafkaClusterId = first.SourceKafkaClusterId;
    delete first.SourceKafkaClusterId;
    delete first.TargetKafkaClusterArn;
    const result = importCliFiles(load('kafka-clusters.json'), info);
    if (!result.ok) throw new Error('expected a draft');
    expect(result.plan.replication.reverseStartingPosition).toBe('EARLIEST');
    expect(result.plan.replication.startingPosition).toBeUndefined();
    expect(result.notes[0]).toContain("reverse replicator's file");
  });

  it('rejects files that do not describe an external source and an MSK target', () => {
    const clusters = load('kafka-clusters.json') as unknown[];
    const result = importCliFiles([clusters[1]], load('replication-info.json'));
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          path: 'kafka-clusters.json',
          message:
            'has no ApacheKafkaCluster entry (the external source cluster)',
        },
      ],
    });
    expect(importCliFiles({}, [])).toEqual({
      ok: false,
      issues: [
        {
          path: 'kafka-clusters.json',
          message: 'must be a JSON array of KafkaCluster objects',
        },
        {
          path: 'replication-info.json',
          message:
            'must be a JSON array with exactly one ReplicationInfo object',
        },
      ],
    });
  });

  it('rejects a replication-info that names another source cluster', () => {
    const info = load('replication-info.json') as Record<string, unknown>[];
    (info[0] as Record<string, unknown>).SourceKafkaClusterId = 'lkc-other';
    const result = importCliFiles(load('kafka-clusters.json'), info);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues[0]?.path).toBe(
      'replication-info.json[0].SourceKafkaClusterId',
    );
  });

  it('requires SCRAM authentication of the source', () => {
    const clusters = load('kafka-clusters.json') as Record<string, unknown>[];
    delete (clusters[0] as Record<string, unknown>).ClientAuthentication;
    const result = importCliFiles(clusters, load('replication-info.json'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      {
        path: 'kafka-clusters.json[0].ClientAuthentication.SaslScram',
        message: expect.stringContaining('is required'),
      },
    ]);
  });
});
