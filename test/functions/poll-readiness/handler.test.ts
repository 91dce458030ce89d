import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/poll-readiness/handler.ts';
import { ValidationError } from '../../../functions/shared/domain/errors.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { lambdaContext } from '../../support/memory-ports.ts';
import {
  Harness,
  MIGRATION,
  onSource,
  planRef,
  silentLog,
} from './fixtures.ts';

let db: LocalDynamo;
let h: Harness;

beforeAll(async () => {
  process.env.AWS_REGION = 'us-east-1';
  process.env.LEDGER_TABLE = 'ledger';
  process.env.TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:t';
  process.env.EVENT_BUS_NAME = 'bus';
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});
beforeEach(async () => {
  h = new Harness(db, await db.createTable(`ph-${Date.now()}`));
  await h.setUp();
});

describe('poll-readiness handler', () => {
  it('should run the core on the wired adapters', async () => {
    // S3, CloudWatch, MSK, SNS and EventBridge come from the shared clients
    // (intercepted by the mocks); the ledger is the dynalite one.
    const handler = createHandler({
      ledger: h.ledger,
      clock: h.clock,
      log: silentLog,
    });
    const measurementId = await h.measure(onSource());
    const result = await handler(
      { migrationId: MIGRATION, planRef, iteration: 3, measurementId },
      lambdaContext('poll-readiness'),
    );
    expect(result).toMatchObject({ ready: false, iteration: 4 });
  });

  it('should reject an event without measurementId', async () => {
    const handler = createHandler({ ledger: h.ledger, log: silentLog });
    await expect(
      handler(
        { migrationId: MIGRATION, planRef, iteration: 0 },
        lambdaContext('poll-readiness'),
      ),
    ).rejects.toThrow(ValidationError);
  });
});
