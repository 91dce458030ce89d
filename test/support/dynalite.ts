/**
 * A local DynamoDB (dynalite, in memory) on 127.0.0.1 with a random port and
 * the ledger table created from the same definition as the stack's.
 */
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ledgerCreateTableInput } from '../../functions/shared/aws/ledger-table.ts';

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  tableName: string;
  /** Creates another empty ledger table (isolation between tests). */
  createTable(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Starts dynalite and creates the ledger table `tableName`. */
export async function startDynalite(
  tableName = 'ledger',
): Promise<LocalDynamo> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const createTable = async (name: string) => {
    await client.send(new CreateTableCommand(ledgerCreateTableInput(name)));
    await waitUntilTableExists(
      { client, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.2 },
      { TableName: name },
    );
    return name;
  };
  await createTable(tableName);
  return {
    endpoint,
    client,
    tableName,
    createTable,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
