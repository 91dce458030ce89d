import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/measure-source-lag/handler.ts';
import { ValidationError } from '../../../functions/shared/domain/errors.ts';
import { PlatformaticKafkaProbe } from '../../../functions/shared/kafka/probe.ts';
import type { EvidenceRecord } from '../../../functions/shared/ports.ts';
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
  functionName: 'measure-source-lag',
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

describe('measure-source-lag handler', () => {
  it('runs the measure core with injected adapters: the source measured, the unreadable target an error, the evidence recorded', async () => {
    const plan = JSON.parse(
      readFileSync('events/start-migration.json', 'utf8'),
    );
    plan.source.bootstrapBrokers = [broker.bootstrap];
    const evidence: EvidenceRecord[] = [];
    const handler = createHandler({
      plans: { get: async () => JSON.stringify(plan), put: async () => ref },
      inventory: {
        secretJson: async () => ({
          username: 'repl',
          password: 'pw-1',
          certificate: pki.caChain,
        }),
        // The target has no IAM listener: its side is an error, not a throw.
        bootstrapBrokers: async () => null,
      },
      ledger: {
        putEvidence: async (rec) => {
          evidence.push(rec);
        },
        latestEvidenceRef: async () => null,
      },
      metrics: { put: async () => {} },
      kafka: new PlatformaticKafkaProbe({ connectTimeoutMs: 1000 }),
      clock: { now: () => new Date('2026-03-01T10:00:00.000Z') },
    });
    const result = await handler(
      { migrationId: 'orders-platform', planRef: ref, previousPoll: null },
      context,
    );
    expect(result).toMatchObject({
      measurementId: 'measure-2026-03-01T10:00:00.000Z',
      skipped: false,
      targetSumOffsetLag: null,
    });
    expect(result.errors.join(' ')).toContain('target: target.mskClusterArn');
    expect(evidence.map((e) => e.kind)).toEqual(['measure']);
  });

  it('rejects a previous poll without its time as a ValidationError', async () => {
    const handler = createHandler({});
    const error = await handler(
      {
        migrationId: 'm',
        planRef: ref,
        previousPoll: { replicatorsHealthy: false },
      },
      context,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain('previousPoll.at');
  });
});
