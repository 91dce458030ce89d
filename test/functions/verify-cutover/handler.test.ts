import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/shared/domain/errors.ts';
import { createHandler } from '../../../functions/verify-cutover/handler.ts';
import { type LocalDynamo, startDynalite } from '../../support/dynalite.ts';
import { lambdaContext } from '../../support/memory-ports.ts';
import {
  Harness,
  MIGRATION,
  onSource,
  planRef,
  silentLog,
} from '../poll-readiness/fixtures.ts';

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
  h = new Harness(db, await db.createTable(`vh-${Date.now()}`));
  await h.setUp();
  await h.ledger.putApps(MIGRATION, ['order-status']);
});

describe('verify-cutover handler', () => {
  it('should run the core on the wired adapters', async () => {
    const handler = createHandler({
      ledger: h.ledger,
      clock: h.clock,
      log: silentLog,
    });
    const measurementId = await h.measure(onSource(), 'order-status');
    const result = await handler(
      {
        migrationId: MIGRATION,
        planRef,
        app: 'order-status',
        direction: 'toTarget',
        measurementId,
        iteration: 0,
      },
      lambdaContext('verify-cutover'),
    );
    expect(result.verified).toBe(false);
    expect(result.reasons).toContain(
      'group order-status still has 2 member(s) on the source (Stable)',
    );
  });

  it('should reject an unknown direction', async () => {
    const handler = createHandler({ ledger: h.ledger, log: silentLog });
    await expect(
      handler(
        {
          migrationId: MIGRATION,
          planRef,
          app: 'order-status',
          direction: 'sideways',
          measurementId: 'm',
          iteration: 0,
        },
        lambdaContext('verify-cutover'),
      ),
    ).rejects.toThrow(/direction/);
    await expect(
      handler({ migrationId: MIGRATION }, lambdaContext('verify-cutover')),
    ).rejects.toThrow(ValidationError);
  });
});
