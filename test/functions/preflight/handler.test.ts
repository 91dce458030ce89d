import { readFileSync } from 'node:fs';
import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DescribeClusterV2Command,
  KafkaClient,
  ListReplicatorsCommand,
} from '@aws-sdk/client-kafka';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  GetServiceQuotaCommand,
  ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/preflight/handler.ts';
import { DynamoLedger } from '../../../functions/shared/aws/ledger.ts';
import {
  PreflightFailedError,
  ValidationError,
} from '../../../functions/shared/domain/errors.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { lambdaContext, MemoryLog } from '../../support/memory-ports.ts';

const planRef = { bucket: 'plans', key: 'p.json', versionId: 'v1' };
let db: LocalDynamo;

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    LEDGER_TABLE: 'ledger',
    TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t',
    EVENT_BUS_NAME: 'bus',
    SERVICE_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/r',
    ALLOWED_SECRET_ARN_PREFIXES:
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:msk-cutover/*, ',
    ALLOWED_CLUSTER_ARNS: '',
  });
  db = await startDynalite();
  const plan = readFileSync('events/start-migration.json', 'utf-8');
  mockClient(S3Client)
    .on(GetObjectCommand)
    .callsFake(() => ({ Body: { transformToString: async () => plan } }));
  mockClient(KafkaClient)
    .on(DescribeClusterV2Command)
    .resolves({
      ClusterInfo: {
        ClusterName: 'orders-express',
        State: 'ACTIVE',
        ClusterType: 'PROVISIONED',
        Provisioned: {
          BrokerNodeGroupInfo: {
            InstanceType: 'express.m7g.large',
            ClientSubnets: [],
          },
          ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
          NumberOfBrokerNodes: 3,
        },
      },
    })
    .on(ListReplicatorsCommand)
    .resolves({ Replicators: [] });
  // The secret is missing: preflight must fail, naming it.
  mockClient(SecretsManagerClient)
    .on(GetSecretValueCommand)
    .rejects(new ResourceNotFoundException({ message: 'no', $metadata: {} }));
  mockClient(EC2Client)
    .on(DescribeSubnetsCommand)
    .resolves({ Subnets: [] })
    .on(DescribeSecurityGroupsCommand)
    .resolves({ SecurityGroups: [] });
  mockClient(ServiceQuotasClient)
    .on(GetServiceQuotaCommand)
    .resolves({ Quota: { Value: 15 } });
});
afterAll(async () => {
  await db.stop();
});

describe('preflight handler', () => {
  it('should wire the env scope and fail with every check recorded', async () => {
    const ledger = new DynamoLedger(db.client, db.tableName);
    const log = new MemoryLog();
    const handler = createHandler({ ledger, log });
    const err = await handler(
      { migrationId: 'orders-platform', planRef },
      lambdaContext('preflight'),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightFailedError);
    expect(String(err)).toMatch(/secret\.scram: secret .* does not exist/);
    const checks = await ledger.getChecks('orders-platform', 'preflight');
    // The scope came from the env: in scope, no warning about it.
    expect(checks?.find((c) => c.id === 'scope.secret.scram')?.ok).toBe(true);
  });

  it('should reject an event without planRef', async () => {
    const handler = createHandler({ log: new MemoryLog() });
    await expect(
      handler({ migrationId: 'x' }, lambdaContext('preflight')),
    ).rejects.toThrow(ValidationError);
  });
});
