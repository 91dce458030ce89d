/**
 * The approval email (SNS, plain text). It carries the question, the
 * numbers, what the operator must do and one signed link. It never carries
 * the task token, and the link only opens the page: deciding takes a
 * confirmation on the page, so a mail scanner that follows links decides
 * nothing.
 */

import type { Decision } from '../domain/types.ts';
import { DecisionsByGate } from '../domain/types.ts';
import {
  DECISION_LABELS,
  formatNumber,
  type GateView,
  gateQuestion,
  operatorSteps,
  waveAppLine,
} from './view.ts';

export interface ApprovalEmail {
  subject: string;
  body: string;
}

const KIND_WORDS = {
  cutover: 'approve cutover of',
  'keep-or-rollback': 'keep or roll back',
  'verify-timeout': 'cutover not verified in time:',
  'rollback-verify-timeout': 'rollback not verified in time:',
  teardown: 'approve teardown',
  'wave-cutover': 'approve cutover of wave',
  'wave-keep-or-rollback': 'keep or roll back wave',
} as const;

/**
 * Builds the email for an open gate.
 *
 * @param view the gate, as the page shows it
 * @param link the signed link (`…/approvals/{id}?sig=…`)
 * @param reminder true for the one re-announcement of a gate left open
 */
export function buildApprovalEmail(
  view: GateView,
  link: string,
  reminder = false,
): ApprovalEmail {
  const what =
    view.kind === 'teardown'
      ? KIND_WORDS.teardown
      : `${KIND_WORDS[view.kind]} ${view.app ?? view.wave ?? ''}`.trim();
  const subject = `${reminder ? 'Reminder: ' : ''}[msk-cutover] ${view.migrationId}: ${what}`;
  const lines: string[] = [];
  if (reminder) {
    lines.push(
      'This gate is still open after half of its timeout. The earlier link no longer works; use this one.',
      '',
    );
  }
  lines.push(gateQuestion(view), '');
  if (view.note) lines.push(view.note, '');
  lines.push(view.recommendation.text, '');
  lines.push('Evidence at the moment the gate opened:');
  const e = view.evidence;
  if (!e) {
    lines.push('  No readiness evidence was recorded. Check the dashboards.');
  } else {
    lines.push(
      `  Measured ${e.at}: ${e.ready === null ? 'see the page' : e.ready ? 'READY' : 'NOT READY'}`,
    );
    for (const r of e.reasons.slice(0, 10)) lines.push(`  - ${r}`);
    for (const r of e.rules) {
      lines.push(
        `  ${r.verdict === 'pass' ? 'PASS' : 'FAIL'} ${r.name}: ${r.value === null ? 'no data' : formatNumber(r.value)} ${r.unit}${r.threshold === null ? '' : ` (must be ${r.comparator === '=' ? '' : `${r.comparator} `}${formatNumber(r.threshold)})`}${r.trend ? `; ${r.trend}` : ''}`,
      );
    }
    if (e.forecast) lines.push(`  ${e.forecast.text}`);
    for (const p of e.parity.slice(0, 20)) {
      lines.push(
        `  group ${p.group}: source lag ${p.sourceLag ?? 'no data'}, MSK lag ${p.targetLag ?? 'no data'}: ${p.text}`,
      );
    }
    for (const f of e.figures.slice(0, 20)) {
      lines.push(`  ${f.name}: ${f.value}`);
    }
    if (e.groups.length > 20) {
      lines.push(`  … ${e.groups.length - 20} more groups on the page`);
    }
  }
  lines.push('');
  if (view.app) {
    lines.push(
      `${view.app} produces: ${view.produces.join(', ') || 'nothing'}`,
      `${view.app} consumes: ${view.consumes.join(', ') || 'nothing'}`,
      `Consumer groups: ${view.consumerGroups.join(', ') || 'none'}`,
      '',
    );
  }
  lines.push(...waveLines(view));
  lines.push('What to do:');
  for (const step of operatorSteps(view)) lines.push(`- ${step}`);
  for (const block of view.clientSettings) {
    lines.push('', `${block.title}:`);
    for (const line of block.properties.split('\n')) lines.push(`  ${line}`);
  }
  lines.push('', 'Possible decisions:');
  for (const d of DecisionsByGate[view.kind] as readonly Decision[]) {
    lines.push(`- ${DECISION_LABELS[d].label}: ${DECISION_LABELS[d].hint}`);
  }
  lines.push(
    '',
    'Open the page to decide (opening it changes nothing; you confirm on the page with your name):',
    link,
    '',
    ...emailFooter(
      view,
      `msk-cutover approve ${view.migrationId}${view.app ? ` --app ${view.app}` : ''}${view.wave ? ` --wave ${view.wave}` : ''}`,
    ),
  );
  return { subject, body: lines.join('\n') };
}

/**
 * The end of every gate's email: how long the link works, the command that
 * decides from a terminal, the overview link, the approval's id.
 */
export function emailFooter(
  view: Pick<
    GateView,
    'expiresAt' | 'overviewUrl' | 'approvalId' | 'createdAt'
  >,
  command: string,
): string[] {
  return [
    `The link works once, until ${view.expiresAt}. Or decide from a terminal with AWS credentials:`,
    `  ${command}`,
    '',
    ...(view.overviewUrl
      ? [
          'The whole migration, read-only (decides nothing; works for the migration’s life):',
          view.overviewUrl,
          '',
        ]
      : []),
    `Approval ${view.approvalId}, requested ${view.createdAt}.`,
  ];
}

/** A wave gate's applications, one line each (none for other gates). */
function waveLines(view: GateView): string[] {
  if (!view.waveApps) return [];
  return [
    `Applications of wave ${view.wave ?? ''} (${view.waveApps.length}):`,
    ...view.waveApps.map((a) => `  - ${waveAppLine(a)}`),
    '',
  ];
}
