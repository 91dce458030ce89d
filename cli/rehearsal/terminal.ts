/**
 * The rehearsal on a terminal: a live timeline (virtual time since the
 * start, wall time, what happened), a progress line that rewrites itself
 * while the workflow waits (only on a TTY; plain lines otherwise), each email
 * in interactive mode, and the final summary.
 */

import { comparisonLines } from '../format/forecast-report.ts';
import { terminalText, terminalValue } from '../format/terminal-text.ts';
import type { RehearsalResult, TimelineEntry } from './rehearse.ts';
import type { SentEmail } from './sim-aws.ts';

export interface Output {
  write(text: string): void;
  isTTY: boolean;
}

/** `+1d 02:35` from a virtual start. */
export function elapsed(from: number, at: number): string {
  const minutes = Math.floor((at - from) / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const hm = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
  return `+${d ? `${d}d ` : ''}${hm}`;
}

function wall(ms: number): string {
  return ms < 10_000
    ? `${(ms / 1000).toFixed(1)}s`
    : `${Math.round(ms / 1000)}s`;
}

/** Carriage return and "erase to end of line": the progress line's own. */
const REWRITE_LINE = '\r\x1b[K';

/**
 * Prints timeline entries as they come. `out` receives the progress line's
 * own control sequence; every entry's text goes through the terminal
 * sanitizer (one line each, whatever a name holds).
 */
export function timelinePrinter(out: Output, start: Date) {
  const from = start.getTime();
  let progress = false;
  return (entry: TimelineEntry) => {
    const stamp = `[${elapsed(from, Date.parse(entry.at))} | ${wall(entry.wallMs)}]`;
    const text = terminalValue(entry.text);
    if (entry.kind === 'wait') {
      if (!out.isTTY) return;
      out.write(`${REWRITE_LINE}${stamp} waiting (${text}) ...`);
      progress = true;
      return;
    }
    if (progress) out.write(REWRITE_LINE);
    progress = false;
    out.write(`${stamp} ${text}\n`);
  };
}

/** Interactive mode: the email as a person would read it. */
export function printEmail(out: Output, email: SentEmail): void {
  out.write(
    terminalText(
      `\n---- email: ${terminalValue(email.subject)}\n${email.body.trim()}\n---- end of email\n\n`,
    ),
  );
}

/** Lists longer than this are summarized by count in the final summary. */
const LISTED_AT_MOST = 12;
const MISMATCHES_SHOWN = 20;
const CLEANUP_REASON_CHARS = 300;

/** `applications: orders ON_TARGET, …`, or counts per state for many. */
export function applicationsLine(apps: RehearsalResult['apps']): string {
  const entries = Object.entries(apps);
  if (entries.length <= LISTED_AT_MOST) {
    return entries.map(([a, s]) => `${terminalValue(a)} ${s}`).join(', ');
  }
  const byState = new Map<string, string[]>();
  for (const [a, s] of entries) byState.set(s, [...(byState.get(s) ?? []), a]);
  const states = [...byState].sort((x, y) => y[1].length - x[1].length);
  const counts = states.map(([s, list]) => `${n(list.length)} ${s}`);
  // Name the applications outside the most common state (a few of them).
  const others = states
    .slice(1)
    .flatMap(([s, list]) => list.map((a) => `${terminalValue(a)} ${s}`));
  const named = others.slice(0, LISTED_AT_MOST).join(', ');
  const more = others.length > LISTED_AT_MOST ? ', …' : '';
  return `${n(entries.length)} in all: ${counts.join(', ')}${named ? ` (${named}${more})` : ''}`;
}

/** `gates: cutover orders → cutover; …`, or counts per kind and decision. */
export function gatesLine(gates: RehearsalResult['gates']): string {
  if (gates.length === 0) return 'none';
  if (gates.length <= LISTED_AT_MOST) {
    return gates
      .map(
        (g) =>
          `${g.kind}${g.app ? ` ${terminalValue(g.app)}` : ''} → ${g.decision}`,
      )
      .join('; ');
  }
  const counts = new Map<string, number>();
  for (const g of gates) {
    const key = `${g.kind} → ${g.decision}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return `${n(gates.length)} in all: ${[...counts].map(([k, c]) => `${k} ×${n(c)}`).join('; ')}`;
}

const n = (v: number) => v.toLocaleString('en-US');

/** The final summary. */
export function printSummary(
  out: Output,
  r: RehearsalResult,
  reportPath?: string,
): void {
  const ok = r.mismatches.length === 0;
  const hidden = r.mismatches.length - MISMATCHES_SHOWN;
  const reason =
    r.cleanup && r.cleanup.reason.length > CLEANUP_REASON_CHARS
      ? `${r.cleanup.reason.slice(0, CLEANUP_REASON_CHARS - 1)}…`
      : r.cleanup?.reason;
  const lines = [
    '',
    `Scenario ${r.scenario}: ${ok ? 'reached the expected outcome' : 'DID NOT reach the expected outcome'}`,
    `  parent execution ${r.outcome}${r.error ? ` (${r.error})` : ''}, expected ${r.expected.outcome}${r.expected.error ? ` (${r.expected.error})` : ''}`,
    ...r.mismatches
      .slice(0, MISMATCHES_SHOWN)
      .map((m) => `  ! ${terminalValue(m)}`),
    ...(hidden > 0
      ? [`  ! … and ${n(hidden)} more (see --json or the report)`]
      : []),
    `  applications: ${applicationsLine(r.apps)}`,
    `  replicators: ${r.replicators.created.length} created, ${r.replicators.remaining.length} remaining${r.replicators.remaining.length ? ` (${r.replicators.remaining.join(', ')})` : ''}`,
    ...(r.cleanup
      ? [`  cleanup: ${r.cleanup.action}: ${terminalValue(reason)}`]
      : []),
    `  gates: ${gatesLine(r.gates)}`,
    `  emails sent: ${r.emails.length}`,
    `  executions: ${r.accounting.executions.length}, largest history ${r.accounting.limits.historyEvents} events (limit 25,000), largest payload ${r.accounting.limits.payloadBytes} bytes (limit 262,144)`,
    `  AWS calls: ${Object.values(r.accounting.awsCalls).reduce((a, b) => a + b, 0)} (${Object.keys(r.accounting.awsCalls).length} kinds)`,
    r.iam.enforced
      ? `  IAM: ${r.iam.checked} requests authorized against the stack's policies, ${r.iam.denied.length} denied${r.iam.denied.map((d) => `\n    denied: ${d.principal} ${d.action} on ${d.resource}`).join('')}`
      : '  IAM: not enforced',
    `  virtual time ${r.virtualDuration}, wall time ${wall(r.wallMs)}`,
    ...(r.forecast ? comparisonLines(r.forecast.comparison) : []),
    ...(reportPath ? [`  report: ${reportPath}`] : []),
    '',
  ];
  out.write(terminalText(lines.join('\n')));
}

/** The `--json` document. */
export function jsonDocument(r: RehearsalResult) {
  return {
    outcome: r.outcome,
    scenario: r.scenario,
    apps: r.apps,
    replicators: r.replicators,
    gates: r.gates.map((g) => ({
      ...(g.app ? { app: g.app } : {}),
      kind: g.kind,
      decision: g.decision,
      at: g.at ?? g.openedAt,
      ...(g.attempts.length ? { attempts: g.attempts } : {}),
    })),
    accounting: {
      executions: r.accounting.executions,
      awsCalls: r.accounting.awsCalls,
      awsCallsByPrincipal: r.accounting.awsCallsByPrincipal,
    },
    iam: r.iam,
    virtualDuration: r.virtualDuration,
    wallMs: r.wallMs,
    ...(r.error ? { error: r.error } : {}),
    ...(r.cleanup ? { cleanup: r.cleanup } : {}),
    ...(r.forecast
      ? {
          forecast: {
            forecast: r.forecast.forecast,
            actual: r.forecast.actual,
            comparison: r.forecast.comparison,
          },
        }
      : {}),
    expected: r.expected,
    mismatches: r.mismatches,
    notifications: r.notifications.map(({ at, type, subject }) => ({
      at,
      type,
      subject,
    })),
  };
}
