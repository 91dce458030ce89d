/**
 * What only DynamoLedger does: items split in parts, the writes a request
 * costs, BatchWriteItem retries. What the Ledger port promises is in
 * ../ledger-contract.test.ts, run on this ledger and on MemoryLedger.
 */
import type { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoLedger } from '../../../../functions/shared/aws/ledger.ts';
import type { ApprovalRecord } from '../../../../functions/shared/ports.ts';
import { type LocalDynamo, startDynalite } from '../../../support/dynalite.ts';

const T0 = new Date('2026-03-01T10:00:00.000Z');

function approval(over: Partial<ApprovalRecord> = {}): ApprovalRecord {
  return {
    approvalId: 'ap-1',
    migrationId: 'm1',
    kind: 'cutover',
    app: 'orders',
    executionId: 'arn:aws:states:us-east-1:111122223333:execution:sm:x',
    encryptedTaskToken: 'Y2lwaGVy',
    formNonce: 'nonce',
    createdAt: T0.toISOString(),
    expiresAt: new Date(T0.getTime() + 3_600_000).toISOString(),
    status: 'OPEN',
    ...over,
  };
}

let db: LocalDynamo;
let ledger: DynamoLedger;
let tableNo = 0;
let now = T0;
const clock = { now: () => now };

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});
beforeEach(async () => {
  now = T0;
  const table = await db.createTable(`ledger-${++tableNo}`);
  ledger = new DynamoLedger(db.client, table, clock);
});

describe('evidence', () => {
  it('should split evidence larger than one item into parts', async () => {
    // Random hex does not compress: about 1.2 MB gzip'd, over 400 KB items.
    const { randomBytes } = await import('node:crypto');
    const big = Array.from({ length: 300 }, () =>
      randomBytes(2000).toString('hex'),
    );
    await ledger.putEvidence({
      migrationId: 'm1',
      evidenceId: 'big',
      at: T0.toISOString(),
      kind: 'measure',
      reasons: [],
      data: { big },
    });
    const back = await ledger.getEvidence('m1', 'big');
    expect(back?.data.big).toEqual(big);
  });
});

describe('approvals', () => {
  it('should supersede without reading the other approvals', async () => {
    for (let i = 0; i < 30; i++) {
      await ledger.putApproval(
        approval({ approvalId: `ap-app-${i}`, app: `app-${i}` }),
      );
    }
    const calls: string[] = [];
    const spy = (ledger as unknown as { doc: { send: (c: object) => unknown } })
      .doc;
    const send = spy.send.bind(spy);
    spy.send = (command: object) => {
      calls.push(command.constructor.name);
      return send(command);
    };
    await ledger.putApproval(
      approval({
        approvalId: 'ap-app-3b',
        app: 'app-3',
        createdAt: '2026-03-01T10:05:00Z',
      }),
    );
    expect(calls).toEqual(['PutCommand', 'UpdateCommand', 'UpdateCommand']);
    expect((await ledger.getApproval('ap-app-3'))?.status).toBe('SUPERSEDED');
    expect((await ledger.getApproval('ap-app-4'))?.status).toBe('OPEN');
  });
});

describe('batch writes', () => {
  it('should give up with TransientError when items stay unprocessed', async () => {
    const table = `ledger-${++tableNo}`;
    await db.createTable(table);
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const client = new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    // Every batch comes back unprocessed, as under sustained throttling.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchWriteItemCommand') return next(args);
        const input = args.input as BatchWriteItemCommand['input'];
        return {
          response: {},
          output: {
            $metadata: {},
            UnprocessedItems: input.RequestItems,
          },
        } as never;
      },
      { step: 'initialize', name: 'neverProcess' },
    );
    const l = new DynamoLedger(client, table, clock);
    await expect(l.putApps('m1', ['a'])).rejects.toThrow(
      /1 items still unprocessed after 8 attempts/,
    );
    client.destroy();
  });

  it('should retry unprocessed items until all are written', async () => {
    // dynalite never returns UnprocessedItems; a middleware on the real
    // client drops the last item of the first batch to exercise the retry.
    let dropped = false;
    const table = `ledger-${++tableNo}`;
    await db.createTable(table);
    const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
    const client = new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'BatchWriteItemCommand' || dropped) {
          return next(args);
        }
        const input = args.input as BatchWriteItemCommand['input'];
        const reqs = input.RequestItems?.[table] ?? [];
        const last = reqs.pop();
        dropped = true;
        const out = await next(args);
        (out.output as { UnprocessedItems?: unknown }).UnprocessedItems = {
          [table]: last ? [last] : [],
        };
        return out;
      },
      { step: 'initialize', name: 'dropOne' },
    );
    const l = new DynamoLedger(client, table, clock);
    await l.putApps('m1', ['a', 'b', 'c']);
    expect(dropped).toBe(true);
    expect((await l.listApps('m1')).map((a) => a.app)).toEqual(['a', 'b', 'c']);
    client.destroy();
  });
});
