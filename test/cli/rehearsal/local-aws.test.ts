import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  DynamoDBClient,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import {
  localLedgerDirectory,
  localLedgerTable,
  stopLocalLedger,
  testCertificate,
} from '../../../cli/rehearsal/local-aws.ts';
import { DynamoLedger } from '../../../functions/shared/aws/ledger.ts';
import { startDynalite } from '../../support/dynalite.ts';

describe('local ledger and test certificate', () => {
  afterAll(async () => {
    await stopLocalLedger();
  });

  it('should give each rehearsal a fresh table, at the same endpoint after a restart', async () => {
    const first = await localLedgerTable();
    const second = await localLedgerTable();
    expect(second.tableName).not.toBe(first.tableName);
    // A client created before the restart (like the shared one) still works.
    const client = new DynamoDBClient({
      endpoint: first.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await stopLocalLedger();
    const third = await localLedgerTable();
    expect(third.endpoint).toBe(first.endpoint);
    const tables = await client.send(new ListTablesCommand({}));
    expect(tables.TableNames).toContain(third.tableName);
    client.destroy();
  });

  it('should keep the ledger on disk and remove it when stopped', async () => {
    const { endpoint, tableName } = await localLedgerTable();
    const dir = localLedgerDirectory();
    if (dir === undefined) throw new Error('no ledger directory');
    const client = new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { PK: { S: 'MIGRATION#m' }, SK: { S: 'META' } },
      }),
    );
    client.destroy();
    expect(readdirSync(dir).length).toBeGreaterThan(0);
    await stopLocalLedger();
    expect(existsSync(dir)).toBe(false);
    expect(localLedgerDirectory()).toBeUndefined();
  });

  it('should generate a self-signed certificate valid for a year', () => {
    const pem = testCertificate();
    if (pem === null) return; // no openssl on this machine
    const cert = new X509Certificate(pem);
    expect(cert.subject).toContain('CN=rehearsal-source-ca');
    const days =
      (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    expect(Math.round(days)).toBe(365);
    expect(testCertificate()).toBe(pem);
  });
});

describe('dynalite under the ledger', () => {
  it('should not keep overwritten items alive after a query (patches/dynalite)', async () => {
    // dynalite 4.0.0 never closed the iterator behind a Query: each open
    // iterator pinned a snapshot of the store, so every overwritten version
    // stayed in memory (and, on disk, in LevelDB files). A week of polls
    // overwrites the same pointers thousands of times.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const db = await startDynalite('ledger-leak');
    try {
      const doc = DynamoDBDocumentClient.from(db.client);
      const ledger = new DynamoLedger(db.client, db.tableName);
      const blob = Buffer.alloc(50_000, 7);
      const round = async () => {
        await doc.send(
          new PutCommand({
            TableName: db.tableName,
            Item: { PK: 'MIG#m1', SK: 'EVID#same', blob },
          }),
        );
        await ledger.listReplicators('m1');
      };
      const settled = async () => {
        // Twice, with a turn between: buffers of finished requests go
        // after the sockets let go of them.
        gc();
        await new Promise((resolve) => setTimeout(resolve, 20));
        gc();
        return process.memoryUsage().arrayBuffers;
      };
      for (let i = 0; i < 50; i++) await round();
      const before = await settled();
      for (let i = 0; i < 600; i++) await round();
      const grown = (await settled()) - before;
      // Leaking, 600 versions of 50 KB would stay: about 40 MB (measured
      // without the patch); without the leak it is noise of a few MB.
      expect(grown).toBeLessThan(10 * 2 ** 20);
    } finally {
      await db.stop();
    }
  });
});
