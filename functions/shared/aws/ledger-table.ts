/**
 * The ledger table's key design, in one place: the CDK stack and the local
 * DynamoDB of tests and rehearsal build the same table from it.
 *
 * Items (single table):
 * - `PK=MIG#<id>`, `SK=META`: the migration (GSI1: `STATUS#<status>`).
 * - `PK=MIG#<id>`, `SK=APP#<name>`: one item per application.
 * - `PK=MIG#<id>`, `SK=REPL#<name>`: replicator ARNs and cluster aliases.
 * - `PK=MIG#<id>`, `SK=EVID#<evidenceId>[#<part>]`: evidence, gzip'd JSON,
 *   split in parts so no item comes near the 400 KB item limit.
 * - `PK=MIG#<id>`, `SK=LATEST#<kind>#<*|APP#name>`: newest evidence pointer.
 * - `PK=MIG#<id>`, `SK=READINESS#<*|APP#name>`: readiness wait bookkeeping.
 * - `PK=MIG#<id>`, `SK=CHECKS#<phase>`: preflight/probe check results.
 * - `PK=MIG#<id>`, `SK=AUDIT#<time>#<n>`: the audit trail.
 * - `PK=MIG#<id>`, `SK=GATE#<kind>#<*|APP#name>`: the newest approval
 *   request of each gate (the older one is superseded when it moves).
 * - `PK=APPROVAL#<approvalId>`, `SK=APPROVAL`: one gate request
 *   (GSI1: `APPROVALS#<migrationId>`, by creation time).
 */

/** Attribute definitions are all strings. */
export const LEDGER_KEYS = {
  partitionKey: 'PK',
  sortKey: 'SK',
} as const;

/** The one global secondary index (overloaded, projection ALL). */
export const LEDGER_GSI1 = {
  indexName: 'GSI1',
  partitionKey: 'GSI1PK',
  sortKey: 'GSI1SK',
} as const;

/**
 * The CreateTable request (on-demand) for local DynamoDB; the stack adds
 * point-in-time recovery and the KMS key.
 */
export function ledgerCreateTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: LEDGER_KEYS.partitionKey, AttributeType: 'S' as const },
      { AttributeName: LEDGER_KEYS.sortKey, AttributeType: 'S' as const },
      { AttributeName: LEDGER_GSI1.partitionKey, AttributeType: 'S' as const },
      { AttributeName: LEDGER_GSI1.sortKey, AttributeType: 'S' as const },
    ],
    KeySchema: [
      { AttributeName: LEDGER_KEYS.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: LEDGER_KEYS.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: LEDGER_GSI1.indexName,
        KeySchema: [
          { AttributeName: LEDGER_GSI1.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: LEDGER_GSI1.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      },
    ],
  };
}
