import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/probe-source/handler.ts';
import type { CheckResult } from '../../../functions/shared/contracts.ts';
import { ValidationError } from '../../../functions/shared/domain/errors.ts';
import { PlatformaticKafkaProbe } from '../../../functions/shared/kafka/probe.ts';
import {
  modelOf,
  type RunningBroker,
  startTestBroker,
} from '../../support/kafka-broker/broker.ts';
import {
  generateTestPki,
  type TestPki,
} from '../../support/kafka-broker/pki.ts';

const context = {
  functionName: 'probe-source',
  awsRequestId: 'r-1',
} as Context;
const ref = { bucket: 'plans', key: 'p.json', versionId: 'v1' };
let pki: TestPki;
let broker: RunningBroker;

beforeAll(async () => {
  process.env.LEDGER_TABLE = 'ledger';
  process.env.TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:t';
  process.env.EVENT_BUS_NAME = 'bus';
  pki = generateTestPki();
  broker = await startTestBroker({
    cert: pki.serverCert,
    key: pki.serverKey,
    model: modelOf({
      clusterId: 'ext-cluster-42',
      topics: { orders: [1], order_status: [1] },
      acls: [2, 3, 4].map((resourceType) => ({
        resourceType,
        resourceName: resourceType === 4 ? 'kafka-cluster' : '*',
        patternType: 3,
        principal: 'User:repl',
        host: '*',
        operation: 2,
        permission: 3,
      })),
    }),
    users: [{ name: 'repl', password: 'pw-1' }],
  });
});
afterAll(async () => {
  await broker.stop();
});

describe('probe-source handler', () => {
  it('runs the probe core with injected adapters', async () => {
    const plan = JSON.parse(
      readFileSync('events/start-migration.json', 'utf8'),
    );
    plan.source.bootstrapBrokers = [broker.bootstrap];
    plan.source.clusterId = 'ext-cluster-42';
    const checks: CheckResult[] = [];
    const handler = createHandler({
      plans: { get: async () => JSON.stringify(plan), put: async () => ref },
      inventory: {
        secretJson: async () => ({
          username: 'repl',
          password: 'pw-1',
          certificate: pki.caChain,
        }),
      },
      ledger: {
        putChecks: async (_id, _phase, c) => {
          checks.push(...c);
        },
        updateMigration: async () => {},
      },
      kafka: new PlatformaticKafkaProbe({ connectTimeoutMs: 1000 }),
    });
    const result = await handler(
      { migrationId: 'orders-platform', planRef: ref },
      context,
    );
    expect(result).toMatchObject({
      ok: true,
      clusterId: 'ext-cluster-42',
      topicCount: 2,
    });
    expect(checks.length).toBeGreaterThan(5);
  });

  it('rejects an event without a plan reference as a ValidationError', async () => {
    const handler = createHandler({});
    const error = await handler({ migrationId: 'm' }, context).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain('planRef');
  });
});
