/**
 * "Keep the replicators" at the teardown gate: the workflow waits
 * `TEARDOWN_ASK_AGAIN_HOURS`, then asks again, at most `TEARDOWN_MAX_ASKS`
 * times in all. After the last "keep" the migration completes with the
 * replicators running (a "Replicators Kept" event says so); deleting them is
 * then a person's job. Shared by validate-plan (the state machine's wait and
 * bound) and the approval page and email (which state them).
 */
export const TEARDOWN_ASK_AGAIN_HOURS = 24;
export const TEARDOWN_MAX_ASKS = 7;

/** The sentence the teardown gate says about "keep the replicators". */
export function keepReplicatorsSentence(asked: number): string {
  const left = TEARDOWN_MAX_ASKS - asked - 1;
  return left > 0
    ? `Keep: the replicators keep running so a rollback stays possible; the workflow asks again in ${TEARDOWN_ASK_AGAIN_HOURS} hours (${left} more time(s) at most; after that the migration completes with the replicators running and you delete them yourself).`
    : 'Keep: this is the last time the workflow asks; the migration completes with the replicators running and you delete them yourself.';
}
