import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import {
  DynamoDBClient,
  ListTablesCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import {
  localLedgerDirectory,
  localLedgerTable,
  stopLocalLedger,
  testCertificate,
} from '../../../cli/rehearsal/local-aws.ts';

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
