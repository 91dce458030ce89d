/**
 * Local stand-ins the rehearsal needs besides the simulator: the ledger's
 * DynamoDB (dynalite on a temporary on-disk LevelDB, one server per process
 * and one table per rehearsal) and a self-signed test certificate for the simulated source
 * cluster's secret (generated at runtime, never a real secret).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ledgerCreateTableInput } from '../../functions/shared/aws/ledger-table.ts';

interface LocalDynamo {
  endpoint: string;
  server: Server;
  client: DynamoDBClient;
}

let started: Promise<LocalDynamo> | undefined;
let tables = 0;
/**
 * The port of the first start, reused after a stop: the shared DynamoDB
 * client keeps the endpoint it was created with, so a later rehearsal in
 * the same process must find dynalite where it was.
 */
let port: number | undefined;

/** The running dynalite's data directory, removed when it stops or at exit. */
let dataDir: string | undefined;

function removeDataDir(): void {
  // Retries: dynalite may add a LevelDB file while the directory goes.
  if (dataDir) {
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
  }
  dataDir = undefined;
}

/**
 * Removes the running local ledger's data directory now, synchronously:
 * for a signal handler, just before the process exits.
 */
export function removeLocalLedgerDirectory(): void {
  removeDataDir();
}

async function start(): Promise<LocalDynamo> {
  // On disk, not in memory: the in-memory store keeps every ledger item in
  // the process, and a large plan's rehearsal writes a lot of evidence it
  // never reads back in bulk (the 1,000-application benchmark peaks at about
  // 780 MB resident on disk, 1,050 MB in memory). dynalite itself is patched
  // (patches/dynalite+4.0.0.patch) to close the iterator behind every Query:
  // unpatched, each one pinned a snapshot, and with it every overwritten
  // version of an item, in memory and in the LevelDB files.
  const dir = mkdtempSync(join(tmpdir(), 'msk-cutover-ledger-'));
  if (!dataDir) process.once('exit', removeDataDir);
  dataDir = dir;
  const server = dynalite({
    path: dir,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? 0, '127.0.0.1', () => resolve());
  });
  // The rehearsal must not keep the process alive once it is done.
  server.unref();
  port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return { endpoint, server, client };
}

/** The data directory of the running local ledger, if one runs. */
export function localLedgerDirectory(): string | undefined {
  return dataDir;
}

/**
 * Starts dynalite once per process and creates a fresh ledger table.
 * @returns the endpoint (for AWS_ENDPOINT_URL_DYNAMODB) and the table name
 */
export async function localLedgerTable(): Promise<{
  endpoint: string;
  tableName: string;
}> {
  started ??= start();
  const { endpoint, client } = await started;
  tables += 1;
  const tableName = `msk-cutover-ledger-${tables}`;
  await client.send(new CreateTableCommand(ledgerCreateTableInput(tableName)));
  await waitUntilTableExists(
    { client, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.2 },
    { TableName: tableName },
  );
  return { endpoint, tableName };
}

/** Stops the process's dynalite (tests; the CLI just exits). */
export async function stopLocalLedger(): Promise<void> {
  if (!started) return;
  const { server, client } = await started;
  started = undefined;
  client.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  removeDataDir();
}

let certificate: string | null | undefined;

/**
 * A self-signed certificate (EC P-256, one year) for the simulated source
 * cluster's CA. node:crypto makes keys but not X.509 certificates, so this
 * uses the openssl command; without it the secret carries no certificate
 * (as for brokers with publicly trusted certificates).
 */
export function testCertificate(): string | null {
  if (certificate !== undefined) return certificate;
  const dir = mkdtempSync(join(tmpdir(), 'msk-cutover-rehearsal-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '365',
        '-subj',
        '/CN=rehearsal-source-ca',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore', timeout: 10_000 },
    );
    certificate = readFileSync(join(dir, 'cert.pem'), 'utf8');
  } catch {
    certificate = null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return certificate;
}
