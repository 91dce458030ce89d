/**
 * The life of one application in a migration, as kept in the ledger (one
 * item per application). Pure: the ledger enforces these transitions with
 * conditional writes (`transitionApp(from, to)`), the guards of teardown and
 * cleanup read them.
 *
 *   ON_SOURCE ─cutover→ CUTOVER_APPROVED ─verified→ ON_TARGET ─keep→ KEPT_ON_TARGET
 *       │                    │   │                      │
 *       skip    (person changes  │ rollback          rollback
 *       ↓           mind)↓       │ (verify-timeout)     ↓
 *    SKIPPED         ON_SOURCE   └──────────→ ROLLBACK_APPROVED ─verified→ ROLLED_BACK
 *                                                                 (then as ON_SOURCE)
 *
 * "verified" is also a person's `record-moved` at a verify-timeout gate
 * (CUTOVER_APPROVED → ON_TARGET, ROLLBACK_APPROVED → ROLLED_BACK), with the
 * reason in the decision's comment.
 */
import type { AppState, GateKind } from './types.ts';

/** Allowed next states of each state. */
export const APP_TRANSITIONS: Readonly<Record<AppState, readonly AppState[]>> =
  {
    ON_SOURCE: ['CUTOVER_APPROVED', 'SKIPPED'],
    CUTOVER_APPROVED: ['ON_TARGET', 'ON_SOURCE', 'ROLLBACK_APPROVED'],
    ON_TARGET: ['KEPT_ON_TARGET', 'ROLLBACK_APPROVED'],
    KEPT_ON_TARGET: [],
    ROLLBACK_APPROVED: ['ROLLED_BACK', 'ON_TARGET'],
    ROLLED_BACK: ['CUTOVER_APPROVED', 'SKIPPED'],
    SKIPPED: [],
  };

export function canTransition(from: AppState, to: AppState): boolean {
  return APP_TRANSITIONS[from].includes(to);
}

/** The states `to` may be entered from (the ledger's condition). */
export function statesBefore(to: AppState): AppState[] {
  return (Object.keys(APP_TRANSITIONS) as AppState[]).filter((from) =>
    canTransition(from, to),
  );
}

/** Where an application's clients are, as far as the ledger knows. */
export type LedgerLocation = 'source' | 'target' | 'moving';

export function ledgerLocation(state: AppState): LedgerLocation {
  switch (state) {
    case 'ON_SOURCE':
    case 'ROLLED_BACK':
    case 'SKIPPED':
      return 'source';
    case 'ON_TARGET':
    case 'KEPT_ON_TARGET':
      return 'target';
    case 'CUTOVER_APPROVED':
    case 'ROLLBACK_APPROVED':
      return 'moving';
  }
}

/**
 * Whether the application may be running on the target (or on its way):
 * while any application has, deleting the replicators could cut the data
 * flow between it and the applications still on the source.
 */
export function hasLeftSource(state: AppState): boolean {
  return ledgerLocation(state) !== 'source';
}

/** Teardown needs every application in one of these. */
export function isSettledForTeardown(state: AppState): boolean {
  return state === 'KEPT_ON_TARGET' || state === 'SKIPPED';
}

/**
 * The application state a gate decision moves to, recorded by whoever
 * decides (the approval page or the CLI) before the workflow resumes, so
 * teardown and cleanup see every decision even if a later phase never runs.
 * `null`: the decision does not move the application (postpone, abort,
 * keep-waiting, teardown gate decisions).
 */
export function stateAfterDecision(
  decision: string,
  kind?: GateKind,
): AppState | null {
  switch (decision) {
    case 'record-moved':
      return kind === 'rollback-verify-timeout' ? 'ROLLED_BACK' : 'ON_TARGET';
    case 'cutover':
      return 'CUTOVER_APPROVED';
    case 'skip':
      return 'SKIPPED';
    case 'keep':
      return 'KEPT_ON_TARGET';
    case 'rollback':
      return 'ROLLBACK_APPROVED';
    default:
      return null;
  }
}
