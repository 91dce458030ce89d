import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlanSchema } from '../../../../functions/shared/domain/plan.ts';
import {
  parseClusterArn,
  planTrustPolicy,
  replicatorRolePolicy,
} from '../../../../functions/shared/domain/role-policy.ts';

const sample = () =>
  JSON.parse(
    readFileSync(
      join(import.meta.dirname, '../../../../events/start-migration.json'),
      'utf8',
    ),
  );
const SECRET =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:msk-cutover/onprem-replicator-AbCdEf';
const CLUSTER =
  'arn:aws:kafka:us-east-1:123456789012:cluster/orders-express/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-2';

describe('replicatorRolePolicy', () => {
  const policy = replicatorRolePolicy(PlanSchema.parse(sample()));
  const statement = (sid: string) =>
    policy.Statement.find((s) => s.Sid === sid);

  it('reads only the plan secret, with the four Secrets Manager actions', () => {
    expect(statement('ReadSourceClusterSecrets')).toEqual({
      Sid: 'ReadSourceClusterSecrets',
      Effect: 'Allow',
      Action: [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetResourcePolicy',
        'secretsmanager:GetSecretValue',
        'secretsmanager:ListSecretVersionIds',
      ],
      Resource: [SECRET],
    });
  });

  it('decrypts only through Secrets Manager in the plan region', () => {
    expect(statement('DecryptSecretsThroughSecretsManager')).toMatchObject({
      Action: ['kms:Decrypt'],
      Resource: ['arn:aws:kms:us-east-1:123456789012:key/*'],
      Condition: {
        StringEquals: {
          'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com',
        },
      },
    });
  });

  it("scopes Kafka actions to the target cluster's own cluster, topic and group ARNs", () => {
    expect(statement('TargetCluster')?.Resource).toEqual([CLUSTER]);
    expect(statement('TargetClusterTopics')?.Resource).toEqual([
      'arn:aws:kafka:us-east-1:123456789012:topic/orders-express/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-2/*',
    ]);
    expect(statement('TargetClusterGroups')?.Resource).toEqual([
      'arn:aws:kafka:us-east-1:123456789012:group/orders-express/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-2/*',
    ]);
    const actions = policy.Statement.flatMap((s) => s.Action);
    expect(actions.some((a) => a.endsWith(':*'))).toBe(false);
    expect(policy.Statement.flatMap((s) => s.Resource)).not.toContain('*');
  });

  it('grants WriteDataIdempotently on the cluster, the resource IAM authorizes it on', () => {
    expect(statement('TargetCluster')?.Action).toContain(
      'kafka-cluster:WriteDataIdempotently',
    );
    expect(statement('TargetClusterTopics')?.Action).not.toContain(
      'kafka-cluster:WriteDataIdempotently',
    );
  });

  it('adds a separate root CA secret once', () => {
    const input = sample();
    const ca = SECRET.replace('onprem-replicator-AbCdEf', 'ca-XyZ123');
    input.source.tls = { rootCaSecretArn: ca };
    const withCa = replicatorRolePolicy(PlanSchema.parse(input));
    expect(withCa.Statement[0]?.Resource).toEqual([SECRET, ca]);
    input.source.tls = { rootCaSecretArn: SECRET };
    expect(
      replicatorRolePolicy(PlanSchema.parse(input)).Statement[0]?.Resource,
    ).toEqual([SECRET]);
  });
});

describe('planTrustPolicy', () => {
  it('lets only MSK assume the role, for the cluster account (aws:SourceAccount)', () => {
    expect(planTrustPolicy(PlanSchema.parse(sample()))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'kafka.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
        },
      ],
    });
  });
});

describe('parseClusterArn', () => {
  it('splits an MSK cluster ARN', () => {
    expect(parseClusterArn(CLUSTER)).toEqual({
      partition: 'aws',
      region: 'us-east-1',
      account: '123456789012',
      clusterName: 'orders-express',
      clusterUuid: '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b-2',
    });
  });

  it('names the bad ARN', () => {
    expect(() => parseClusterArn('arn:aws:s3:::bucket')).toThrow(
      'not an MSK cluster ARN: arn:aws:s3:::bucket',
    );
  });
});
