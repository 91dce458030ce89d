/**
 * The rehearsal on a terminal: a live timeline (virtual time since the
 * start, wall time, what happened), a progress line that rewrites itself
 * while the workflow waits (only on a TTY; plain lines otherwise), each email
 * in interactive mode, and the final summary.
 */

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

/** Prints timeline entries as they come. */
export function timelinePrinter(out: Output, start: Date) {
  const from = start.getTime();
  let progress = false;
  return (entry: TimelineEntry) => {
    const stamp = `[${elapsed(from, Date.parse(entry.at))} | ${wall(entry.wallMs)}]`;
    if (entry.kind === 'wait') {
      if (!out.isTTY) return;
      out.write(`\r\x1b[K${stamp} waiting (${entry.text}) ...`);
      progress = true;
      return;
    }
    if (progress) out.write('\r\x1b[K');
    progress = false;
    out.write(`${stamp} ${entry.text}\n`);
  };
}

/** Interactive mode: the email as a person would read it. */
export function printEmail(out: Output, email: SentEmail): void {
  out.write(
    `\n---- email: ${email.subject}\n${email.body.trim()}\n---- end of email\n\n`,
  );
}

/** The final summary. */
export function printSummary(
  out: Output,
  r: RehearsalResult,
  reportPath?: string,
): void {
  const ok = r.mismatches.length === 0;
  const lines = [
    '',
    `Scenario ${r.scenario}: ${ok ? 'reached the expected outcome' : 'DID NOT reach the expected outcome'}`,
    `  parent execution ${r.outcome}${r.error ? ` (${r.error})` : ''}, expected ${r.expected.outcome}${r.expected.error ? ` (${r.expected.error})` : ''}`,
    ...r.mismatches.map((m) => `  ! ${m}`),
    `  applications: ${Object.entries(r.apps)
      .map(([a, s]) => `${a} ${s}`)
      .join(', ')}`,
    `  replicators: ${r.replicators.created.length} created, ${r.replicators.remaining.length} remaining${r.replicators.remaining.length ? ` (${r.replicators.remaining.join(', ')})` : ''}`,
    ...(r.cleanup
      ? [`  cleanup: ${r.cleanup.action}: ${r.cleanup.reason}`]
      : []),
    `  gates: ${r.gates.map((g) => `${g.kind}${g.app ? ` ${g.app}` : ''} → ${g.decision}`).join('; ') || 'none'}`,
    `  emails sent: ${r.emails.length}`,
    `  executions: ${r.accounting.executions.length}, largest history ${r.accounting.limits.historyEvents} events (limit 25,000), largest payload ${r.accounting.limits.payloadBytes} bytes (limit 262,144)`,
    `  AWS calls: ${Object.values(r.accounting.awsCalls).reduce((a, b) => a + b, 0)} (${Object.keys(r.accounting.awsCalls).length} kinds)`,
    `  virtual time ${r.virtualDuration}, wall time ${wall(r.wallMs)}`,
    ...(reportPath ? [`  report: ${reportPath}`] : []),
    '',
  ];
  out.write(lines.join('\n'));
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
    },
    virtualDuration: r.virtualDuration,
    wallMs: r.wallMs,
    ...(r.error ? { error: r.error } : {}),
    ...(r.cleanup ? { cleanup: r.cleanup } : {}),
    expected: r.expected,
    mismatches: r.mismatches,
  };
}
