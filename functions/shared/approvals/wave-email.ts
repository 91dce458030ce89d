/**
 * A wave gate's email (SNS, plain text): what its page says, in text,
 * every application of the wave on its own line with its verdict. Like
 * every approval email it carries one signed link to the page and never
 * the task token; deciding takes the page's form (or the CLI).
 */
import { type ApprovalEmail, emailFooter } from './email.ts';
import { count, WAVE_DECISION_LABELS, type WaveGateView } from './wave-view.ts';

/** Applications listed in full; the rest are counted (the page has them all). */
const MAX_LISTED = 200;

/**
 * Builds the email of an open wave gate.
 *
 * @param view the gate, as its page shows it
 * @param link the signed link (`…/approvals/{id}?sig=…`)
 * @param reminder true for the one re-announcement of a gate left open
 */
export function buildWaveGateEmail(
  view: WaveGateView,
  link: string,
  reminder = false,
): ApprovalEmail {
  const what =
    view.kind === 'wave-cutover'
      ? `approve cutover of wave ${view.wave}`
      : `keep or roll back wave ${view.wave}`;
  const subject = `${reminder ? 'Reminder: ' : ''}[msk-cutover] ${view.migrationId}: ${what} (${count(view.applications.length)})`;
  const lines: string[] = [];
  if (reminder) {
    lines.push(
      'This gate is still open after half of its timeout. The earlier link no longer works; use this one.',
      '',
    );
  }
  lines.push(view.question, '');
  if (view.note) lines.push(view.note, '');
  lines.push(`Recommendation: ${view.recommendation.text}`, '');
  const field = view.kind === 'wave-cutover' ? 'skip' : 'rollback';
  lines.push(
    `Applications of wave ${view.wave} (${view.applications.length}); [x] = pre-checked to ${field === 'skip' ? 'skip' : 'roll back'} on the page:`,
  );
  for (const a of view.applications.slice(0, MAX_LISTED)) {
    const box = a.choice ? (a.choice.checked ? '[x] ' : '[ ] ') : '    ';
    lines.push(
      `  ${box}${a.name}: ${a.status.toUpperCase()}: ${a.verdict.text}`,
    );
    const e = a.evidence;
    if (e && view.kind === 'wave-cutover') {
      for (const r of e.rules.filter((x) => x.verdict === 'fail')) {
        lines.push(
          `        FAIL ${r.name}: ${r.value === null ? 'no data' : r.value.toLocaleString('en-US')} ${r.unit}${r.threshold === null ? '' : ` (must be ${r.comparator === '=' ? '' : `${r.comparator} `}${r.threshold.toLocaleString('en-US')})`}`,
        );
      }
      for (const p of e.parity.filter((x) => x.warn).slice(0, 5)) {
        lines.push(`        group ${p.group}: ${p.text}`);
      }
    }
  }
  if (view.applications.length > MAX_LISTED) {
    lines.push(
      `  … and ${view.applications.length - MAX_LISTED} more on the page`,
    );
  }
  for (const block of view.clientSettings) {
    lines.push('', `${block.title}:`);
    for (const line of block.properties.split('\n')) lines.push(`  ${line}`);
  }
  lines.push('', 'Possible decisions:');
  for (const d of view.decisions) {
    const l = WAVE_DECISION_LABELS[view.kind][d];
    if (l) lines.push(`- ${l.label}: ${l.hint}`);
  }
  lines.push(
    '',
    `Open the page to decide and choose the applications to ${field === 'skip' ? 'skip' : 'roll back'} (opening it changes nothing; you confirm on the page with your name):`,
    link,
    '',
    ...emailFooter(
      view,
      `msk-cutover approve ${view.migrationId} --wave ${view.wave}${field === 'skip' ? ' [--skip app,app]' : ' [--rollback app,app]'}`,
    ),
  );
  return { subject, body: lines.join('\n') };
}
