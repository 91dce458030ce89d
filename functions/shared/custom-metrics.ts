/**
 * Custom CloudWatch metrics the stack alarms on (namespace `msk-cutover`).
 * The functions publish them; `infra/` reads the same names.
 */

export const CUSTOM_NAMESPACE = 'msk-cutover';

/**
 * Open approval gates older than their gate timeout (no dimensions),
 * published by approval-reminders on every sweep, 0 included, so a gap in
 * the data means the sweep itself stopped.
 */
export const GATES_OVERDUE_METRIC = 'GatesOverdue';
