/**
 * The approval page: plain server-rendered HTML with one small inline
 * stylesheet (allowed by its hash in the CSP, ./headers.ts), no script,
 * readable on a phone. Everything that comes from a plan, the ledger or a
 * request is escaped. GET shows the question; only the page's POST form
 * decides.
 */

import type { Decision, GroupMeasurement, GroupSide } from '../domain/types.ts';
import { DecisionsByGate } from '../domain/types.ts';
import { STYLE } from './style.ts';
import {
  DECISION_LABELS,
  type EvidenceSummary,
  formatNumber,
  type GateView,
  gateQuestion,
  operatorSteps,
} from './view.ts';

/**
 * HTML escaping for text and attribute values. Five replacements cover
 * both contexts (the page never puts data in scripts, URLs or styles
 * without encoding them first), which is all a dependency would do here.
 */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)} · msk-cutover</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function list(items: string[]): string {
  return `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
}

function sideCells(side: GroupSide | null): string {
  if (!side) return '<td>not readable</td><td>–</td>';
  const lag =
    side.sumOffsetLag === null ? 'no data' : formatNumber(side.sumOffsetLag);
  return `<td>${escapeHtml(side.state)} (${side.members} members)</td><td>${escapeHtml(lag)}</td>`;
}

function ownValue<T>(
  record: Record<string, T> | undefined,
  key: string,
): T | undefined {
  return record !== undefined && Object.hasOwn(record, key)
    ? record[key]
    : undefined;
}

function groupsTable(groups: GroupMeasurement[]): string {
  const rows: string[] = [];
  for (const g of groups) {
    rows.push(
      `<tr><th scope="row">${escapeHtml(g.group)}</th>${sideCells(g.source)}${sideCells(g.target)}</tr>`,
    );
    const topics = new Set([
      ...Object.keys(g.source?.byTopic ?? {}),
      ...Object.keys(g.target?.byTopic ?? {}),
    ]);
    for (const t of [...topics].sort()) {
      // Own keys only: a topic named `constructor` is not Object's.
      const s = ownValue(g.source?.byTopic, t);
      const d = ownValue(g.target?.byTopic, t);
      rows.push(
        `<tr><td>&nbsp;&nbsp;topic ${escapeHtml(t)}</td><td></td><td>${s === undefined ? '–' : escapeHtml(formatNumber(s))}</td><td></td><td>${d === undefined ? '–' : escapeHtml(formatNumber(d))}</td></tr>`,
      );
    }
  }
  return `<div class="table"><table>
<thead><tr><th>Consumer group / topic</th><th>Source state</th><th>Source lag</th><th>MSK state</th><th>MSK lag</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
}

function evidenceSection(e: EvidenceSummary | null): string {
  if (!e) {
    return '<h2>Evidence</h2><p class="box bad">No readiness evidence was recorded for this gate yet. Check the dashboards before deciding.</p>';
  }
  const verdict =
    e.ready === null
      ? ''
      : `<p class="box ${e.ready ? 'ok' : 'bad'}">${e.ready ? 'Ready: every readiness rule held.' : 'Not ready:'}</p>`;
  const reasons = e.reasons.length > 0 ? list(e.reasons) : '';
  const figures =
    e.figures.length > 0
      ? `<div class="table"><table><tbody>${e.figures
          .map(
            (f) =>
              `<tr><th scope="row">${escapeHtml(f.name)}</th><td>${escapeHtml(f.value)}</td></tr>`,
          )
          .join('')}</tbody></table></div>`
      : '';
  const groups =
    e.groups.length > 0
      ? `<h3>Lag per consumer group and topic</h3>${groupsTable(e.groups)}`
      : '';
  return `<h2>Evidence</h2>
<p class="meta">Measured ${escapeHtml(e.at)} (evidence ${escapeHtml(e.evidenceId)})</p>
${verdict}${reasons}${figures}${groups}`;
}

export interface FormState {
  /** Relative form action: `{approvalId}?sig=…` (stage-prefix safe). */
  action: string;
  nonce: string;
  approver?: string;
  comment?: string;
  /** Shown above the form (e.g. a missing name). */
  error?: string;
}

/** The open gate: question, evidence, what to do, and the decision form. */
export function renderGatePage(view: GateView, form: FormState): string {
  const decisions = DecisionsByGate[view.kind] as readonly Decision[];
  const buttons = decisions
    .map((d) => {
      const l = DECISION_LABELS[d];
      return `<button type="submit" name="decision" value="${escapeHtml(d)}"${l.danger ? ' class="danger"' : ''}>${escapeHtml(l.label)}<span class="hint">${escapeHtml(l.hint)}</span></button>`;
    })
    .join('\n');
  const appSection = view.app
    ? `<h2>${escapeHtml(view.app)}</h2>
<div class="table"><table><tbody>
<tr><th scope="row">Produces</th><td>${escapeHtml(view.produces.join(', ') || 'nothing')}</td></tr>
<tr><th scope="row">Consumes</th><td>${escapeHtml(view.consumes.join(', ') || 'nothing')}</td></tr>
<tr><th scope="row">Consumer groups</th><td>${escapeHtml(view.consumerGroups.join(', ') || 'none')}</td></tr>
</tbody></table></div>`
    : '';
  const note = view.note ? `<p class="box">${escapeHtml(view.note)}</p>` : '';
  const error = form.error
    ? `<p class="box bad" role="alert">${escapeHtml(form.error)}</p>`
    : '';
  const body = `<p class="meta">msk-cutover · migration ${escapeHtml(view.migrationId)} · ${escapeHtml(view.kind)} gate</p>
<h1>${escapeHtml(gateQuestion(view))}</h1>
${note}
<p class="meta">Requested ${escapeHtml(view.createdAt)}. This link works until ${escapeHtml(view.expiresAt)} and decides once.</p>
${evidenceSection(view.evidence)}
${appSection}
<h2>What to do</h2>
${list(operatorSteps(view))}
<h2>Decide</h2>
${error}
<form method="post" action="${escapeHtml(form.action)}">
<input type="hidden" name="nonce" value="${escapeHtml(form.nonce)}">
<label for="approver">Your name (recorded with the decision)</label>
<input id="approver" name="approver" required maxlength="100" autocomplete="name" value="${escapeHtml(form.approver ?? '')}">
<label for="comment">Comment (${view.kind.endsWith('verify-timeout') ? 'required for “Record as moved”' : 'optional'})</label>
<textarea id="comment" name="comment" rows="3" maxlength="1000">${escapeHtml(form.comment ?? '')}</textarea>
<div class="buttons">
${buttons}
</div>
</form>`;
  return layout(gateQuestion(view), body);
}

/** Any page that only informs: decided, expired, refused, closed. */
export function renderMessagePage(opts: {
  title: string;
  message: string;
  tone: 'ok' | 'bad' | 'info';
  details?: [string, string][];
}): string {
  const details =
    opts.details && opts.details.length > 0
      ? `<div class="table"><table><tbody>${opts.details
          .map(
            ([k, v]) =>
              `<tr><th scope="row">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`,
          )
          .join('')}</tbody></table></div>`
      : '';
  const tone = opts.tone === 'info' ? '' : ` ${opts.tone}`;
  return layout(
    opts.title,
    `<p class="meta">msk-cutover</p>
<h1>${escapeHtml(opts.title)}</h1>
<p class="box${tone}">${escapeHtml(opts.message)}</p>
${details}`,
  );
}
