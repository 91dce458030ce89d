/**
 * The approval page: plain server-rendered HTML with one small inline
 * stylesheet (allowed by its hash in the CSP, ./headers.ts), no script,
 * readable on a phone. Everything that comes from a plan, the ledger or a
 * request is escaped. GET shows the question; only the page's POST form
 * decides.
 */

import type { Decision, GroupMeasurement, GroupSide } from '../domain/types.ts';
import { DecisionsByGate } from '../domain/types.ts';
import type { ParityView, RuleRow } from './evidence.ts';
import { STYLE } from './style.ts';
import {
  type ApplicationView,
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

/**
 * The page around a body: the one stylesheet, and a script only where a
 * page's CSP allows it by hash (the overview's refresh).
 */
export function layout(title: string, body: string, script?: string): string {
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
${script === undefined ? '' : `<script>${script}</script>\n`}</body>
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

/** A timestamp that never wraps: `2026-11-24 10:00:00 UTC`. */
export function timeHtml(iso: string): string {
  const d = new Date(iso);
  const text = Number.isNaN(d.getTime())
    ? iso
    : `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
  return `<time class="nw" datetime="${escapeHtml(iso)}">${escapeHtml(text)}</time>`;
}

/** A number (or "no data") that never wraps. */
export function numHtml(n: number | null, unit = ''): string {
  const text = n === null ? 'no data' : formatNumber(n);
  return `<span class="nw num">${escapeHtml(text)}${unit ? ` ${escapeHtml(unit)}` : ''}</span>`;
}

function verdictHtml(ok: boolean, yes = 'pass', no = 'fail'): string {
  return `<span class="verdict ${ok ? 'pass' : 'fail'}">${ok ? yes : no}</span>`;
}

function rulesTable(rules: RuleRow[]): string {
  const rows = rules.map((r) => {
    const threshold =
      r.threshold === null
        ? `${escapeHtml(r.comparator)} expected`
        : `${escapeHtml(r.comparator)} ${numHtml(r.threshold)}`;
    const subjects =
      r.failed > 0
        ? `failed on ${formatNumber(r.failed)} of ${formatNumber(r.failed + r.held)}: ${r.failing.join(', ')}${r.failed > r.failing.length ? ', …' : ''}`
        : r.held > 1
          ? `held on all ${formatNumber(r.held)}`
          : '';
    return `<tr class="rule-${r.verdict}"><th scope="row">${escapeHtml(r.name)}${subjects ? `<span class="sub">${escapeHtml(subjects)}</span>` : ''}${r.trend ? `<span class="sub trend">Trend: ${escapeHtml(r.trend)}</span>` : ''}</th><td>${numHtml(r.value)}</td><td><span class="nw">${threshold}</span> <span class="unit">${escapeHtml(r.unit)}</span></td><td>${verdictHtml(r.verdict === 'pass')}</td></tr>`;
  });
  return `<div class="table"><table class="rules">
<thead><tr><th>Rule</th><th>Value</th><th>Threshold</th><th>Verdict</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
}

function parityList(parity: ParityView[]): string {
  if (parity.length === 0) return '';
  const items = parity.map(
    (p) =>
      `<li${p.warn ? ' class="warn"' : ''}><strong>${escapeHtml(p.group)}</strong>: <span class="nw">source lag ${numHtml(p.sourceLag)}</span> · <span class="nw">MSK lag ${numHtml(p.targetLag)}</span><br>${escapeHtml(p.text)}</li>`,
  );
  return `<h3>If the application moves now</h3><ul class="parity">${items.join('')}</ul>`;
}

/** One evidence record, the parts a decision rests on first. */
export function evidenceBody(e: EvidenceSummary | null): string {
  if (!e) {
    return '<p class="box bad">No readiness evidence was recorded for this gate yet. Check the dashboards before deciding.</p>';
  }
  const parts: string[] = [];
  const sustained = e.sustained
    ? ` Held for <span class="nw">${numHtml(e.sustained.held)} of the ${numHtml(e.sustained.needed)} minutes</span> needed.`
    : '';
  if (e.verification) {
    const v = e.verification;
    parts.push(
      `<p class="box ${v.verified ? 'ok' : 'bad'}">${verdictHtml(v.verified, 'verified', 'not verified')} ${v.direction === 'toSource' ? 'Rollback to the source' : 'Move to MSK'}: the application is on <strong>${escapeHtml(v.location)}</strong>.</p>`,
    );
  } else if (e.ready !== null) {
    parts.push(
      `<p class="box ${e.ready ? 'ok' : 'bad'}">${verdictHtml(e.ready, 'ready', 'not ready')}${e.ready ? ' Every readiness rule held.' : ''}${sustained}</p>`,
    );
  }
  parts.push(`<p class="meta">Measured ${timeHtml(e.at)}</p>`);
  if (e.rules.length > 0) parts.push(rulesTable(e.rules));
  if (e.forecast) {
    parts.push(`<p class="box">Forecast: ${escapeHtml(e.forecast.text)}</p>`);
  }
  parts.push(parityList(e.parity));
  if (e.reasons.length > 0 && (e.rules.length === 0 || e.ready === false)) {
    parts.push(`<h3>Why</h3>${list(e.reasons.slice(0, 10))}`);
  }
  return parts.join('\n');
}

/** Everything about an evidence record that a decision does not need, folded. */
export function evidenceDetails(e: EvidenceSummary | null): string {
  if (!e) return '';
  const inner: string[] = [];
  if (e.reasons.length > 0) inner.push(`<h3>Reasons</h3>${list(e.reasons)}`);
  if (e.notes.length > 0) inner.push(`<h3>Notes</h3>${list(e.notes)}`);
  if (e.groups.length > 0) {
    inner.push(
      `<h3>Lag per consumer group and topic</h3>${groupsTable(e.groups)}`,
    );
  }
  if (e.figures.length > 0) {
    inner.push(
      `<h3>Other recorded numbers</h3><div class="table"><table><tbody>${e.figures
        .map(
          (f) =>
            `<tr><th scope="row">${escapeHtml(f.name)}</th><td>${escapeHtml(f.value)}</td></tr>`,
        )
        .join('')}</tbody></table></div>`,
    );
  }
  inner.push(
    `<p class="meta">Evidence ${escapeHtml(e.evidenceId)} (${escapeHtml(e.kind)})</p>`,
  );
  return `<details><summary>All evidence</summary>${inner.join('\n')}</details>`;
}

function settingsSection(view: GateView): string {
  if (view.clientSettings.length === 0) return '';
  const blocks = view.clientSettings.map(
    (c) =>
      `<h3>${escapeHtml(c.title)}</h3><pre class="props">${escapeHtml(c.properties)}</pre>`,
  );
  return `<h2>Client settings</h2>${blocks.join('\n')}`;
}

function applicationSection(a: ApplicationView, several: boolean): string {
  const facts = `<details><summary>Topics and consumer groups of ${escapeHtml(a.name)}</summary><div class="table"><table><tbody>
<tr><th scope="row">Produces</th><td>${escapeHtml(a.produces.join(', ') || 'nothing')}</td></tr>
<tr><th scope="row">Consumes</th><td>${escapeHtml(a.consumes.join(', ') || 'nothing')}</td></tr>
<tr><th scope="row">Consumer groups</th><td>${escapeHtml(a.consumerGroups.join(', ') || 'none')}</td></tr>
</tbody></table></div></details>`;
  return `<section class="app"><h2>${several ? escapeHtml(a.name) : `Evidence for ${escapeHtml(a.name)}`}</h2>
${evidenceBody(a.evidence)}
${evidenceDetails(a.evidence)}
${facts}</section>`;
}

export interface FormState {
  /** Relative form action: `{approvalId}?sig=…` (stage-prefix safe). */
  action: string;
  nonce: string;
  approver?: string;
  comment?: string;
  /** Shown above the form (e.g. a missing name). */
  error?: string;
  /** Relative link to the migration's read-only overview page. */
  overview?: string;
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
  const note = view.note ? `<p class="box">${escapeHtml(view.note)}</p>` : '';
  const error = form.error
    ? `<p class="box bad" role="alert">${escapeHtml(form.error)}</p>`
    : '';
  const r = view.recommendation;
  const tone = r.tone === 'go' ? ' ok' : r.tone === 'wait' ? ' bad' : '';
  const evidence =
    view.applications.length > 0
      ? view.applications
          .map((a) => applicationSection(a, view.applications.length > 1))
          .join('\n')
      : `<section><h2>Evidence</h2>${evidenceBody(view.evidence)}${evidenceDetails(view.evidence)}</section>`;
  const overview = form.overview
    ? `<p class="meta"><a href="${escapeHtml(form.overview)}">The whole migration (read-only)</a></p>`
    : '';
  const body = `<p class="meta">msk-cutover · migration ${escapeHtml(view.migrationId)} · ${escapeHtml(view.kind)} gate</p>
<h1>${escapeHtml(gateQuestion(view))}</h1>
<p class="box recommend${tone}"><strong>Recommendation:</strong> ${escapeHtml(r.text)}</p>
${note}
${evidence}
${settingsSection(view)}
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
</form>
<details><summary>What happens next: verify, roll back</summary>${list(operatorSteps(view))}</details>
<p class="meta">Requested ${timeHtml(view.createdAt)}. This link works until ${timeHtml(view.expiresAt)} and decides once.</p>
${overview}`;
  return layout(gateQuestion(view), body);
}

/** A timestamp as the ledger records it (shown as is, on one line). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

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
              `<tr><th scope="row">${escapeHtml(k)}</th><td>${ISO_TIME.test(v) ? `<time class="nw" datetime="${escapeHtml(v)}">${escapeHtml(v)}</time>` : escapeHtml(v)}</td></tr>`,
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
