import { shellQuote } from './safe-text.ts';

/**
 * What an operator does with replicators that cleanup kept on purpose, in
 * commands that exist: the daily cleanup sweep deletes them by itself once no
 * application has left the source; when every application stays on the
 * target, deleting them ends the rollback path and is the operator's call.
 */
export function keptReplicatorsAdvice(migrationId: string): string {
  return [
    `Once every application is back on the source, the daily cleanup sweep deletes the replicators.`,
    `Once every application is on the target and none needs a rollback, delete them yourself, reverse first:`,
    `  aws kafka list-replicators --replicator-name-filter ${shellQuote(`msk-cutover-${migrationId}`)}`,
    `  aws kafka delete-replicator --replicator-arn <ARN>`,
  ].join('\n');
}
