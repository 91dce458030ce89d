/**
 * The rehearsal's stand-in account: the names and ARNs the simulated AWS
 * serves, and the environment every function parses at cold start.
 */
import { LOCAL_EVENT_BUS, localStateMachineArn } from './local-sfn.ts';

export const REGION = 'us-east-1';
export const ACCOUNT = '000000000000';
export const SIGNING_SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:msk-cutover/approval-signing-rehearsal`;
export const PLAN_BUCKET = 'msk-cutover-plans-rehearsal';
export const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:msk-cutover-notifications`;
export const SERVICE_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/msk-cutover-replicator`;
export const TOKEN_KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/rehearsal`;
/** The approval links' base when no local server serves the pages. */
export const AUTO_APPROVAL_BASE_URL = 'https://approvals.rehearsal.invalid/';

/** Sets the environment every function parses at cold start. */
export function setEnvironment(
  tableName: string,
  endpoint: string,
  approvalBaseUrl: string,
): void {
  // Dummy credentials: the rehearsal never picks up real ones.
  Object.assign(process.env, {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'AKIAREHEARSALLOCAL00',
    AWS_SECRET_ACCESS_KEY: 'rehearsal-local-not-a-secret',
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    LEDGER_TABLE: tableName,
    TOPIC_ARN,
    EVENT_BUS_NAME: LOCAL_EVENT_BUS,
    SERVICE_EXECUTION_ROLE_ARN: SERVICE_ROLE_ARN,
    TOKEN_KEY_ID: TOKEN_KEY_ARN,
    SIGNING_SECRET_ARN,
    APPROVAL_BASE_URL: approvalBaseUrl,
    STATE_MACHINE_ARN: localStateMachineArn('migration'),
    METRICS_NAMESPACE: 'msk-cutover',
  });
}
