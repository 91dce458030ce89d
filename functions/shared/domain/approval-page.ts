/**
 * The approval page: plain server-rendered HTML with one small inline
 * stylesheet (allowed by its hash in the CSP), no script, readable on a
 * phone. Everything that comes from a plan, the ledger or a request is
 * escaped. GET shows the question; only the page's POST form decides.
 */

import { createHash } from 'node:crypto';
import type { Plan } from './plan.ts';
import { replicatorNames } from './replicator-config.ts';
import { keepReplicatorsSentence } from './teardown-asks.ts';
import type {
  ApprovalRecord,
  Decision,
  EvidenceRecord,
  GateKind,
  GroupMeasurement,
  GroupSide,
} from './types.ts';
import { DecisionsByGate } from './types.ts';

/** Everything the page and the email say about one gate. */
export interface GateView {
  migrationId: string;
  approvalId: string;
  kind: GateKind;
  app?: string;
  /** The application's topics and groups (empty for the teardown gate). */
  produces: string[];
  consumes: string[];
  consumerGroups: string[];
  sourceName: string;
  sourceBrokers: string[];
  targetClusterArn: string;
  /** SASL/IAM bootstrap string of the target; null when it could not be read. */
  targetBrokers: string | null;
  /** Replicator names (for the teardown gate's wording). */
  replicators: string[];
  createdAt: string;
  expiresAt: string;
  /** Why the gate is asked again, when it is. */
  note?: string;
  /** Teardown gate: how many times it has been asked before (0 the first time). */
  asked?: number;
  evidence: EvidenceSummary | null;
}

/** The readiness evidence at the moment the gate opened. */
export interface EvidenceSummary {
  evidenceId: string;
  at: string;
  ready: boolean | null;
  reasons: string[];
  /** Flat numbers and short values (lag, latency, failures, …). */
  figures: { name: string; value: string }[];
  groups: GroupMeasurement[];
}

/**
 * Builds the view of a gate from the pinned plan, the approval record, the
 * evidence it was opened on and the target's bootstrap brokers.
 */
export function gateViewOf(
  plan: Plan,
  approval: Pick<
    ApprovalRecord,
    'approvalId' | 'kind' | 'app' | 'createdAt' | 'expiresAt'
  > & { note?: string; asked?: number },
  evidence: EvidenceSummary | null,
  targetBrokers: string | null,
): GateView {
  const app = plan.applications.find((a) => a.name === approval.app);
  return {
    migrationId: plan.migrationId,
    approvalId: approval.approvalId,
    kind: approval.kind,
    ...(approval.app === undefined ? {} : { app: approval.app }),
    produces: app?.produces ?? [],
    consumes: app?.consumes ?? [],
    consumerGroups: app?.consumerGroups ?? [],
    sourceName: plan.source.name,
    sourceBrokers: plan.source.bootstrapBrokers,
    targetClusterArn: plan.target.mskClusterArn,
    targetBrokers,
    replicators: replicatorNames(plan),
    createdAt: approval.createdAt,
    expiresAt: approval.expiresAt,
    ...(approval.note === undefined ? {} : { note: approval.note }),
    ...(approval.asked === undefined ? {} : { asked: approval.asked }),
    evidence,
  };
}

/** Button labels, and which decisions change production traffic. */
export const DECISION_LABELS: Record<
  Decision,
  { label: string; hint: string; danger: boolean }
> = {
  cutover: {
    label: 'Cut over now',
    hint: 'The application moves to the MSK cluster.',
    danger: false,
  },
  postpone: {
    label: 'Postpone',
    hint: 'Ask again later; nothing moves.',
    danger: false,
  },
  skip: {
    label: 'Skip this application',
    hint: 'It stays on the source cluster.',
    danger: false,
  },
  abort: {
    label: 'Abort the migration',
    hint: 'Stops the whole migration.',
    danger: true,
  },
  keep: {
    label: 'Keep on MSK',
    hint: 'The application stays on the MSK cluster.',
    danger: false,
  },
  rollback: {
    label: 'Roll back to the source',
    hint: 'The application goes back to the source cluster.',
    danger: true,
  },
  teardown: {
    label: 'Delete the replicators',
    hint: 'Rollback is no longer possible afterwards.',
    danger: true,
  },
  'keep-replicators': {
    label: 'Keep the replicators',
    hint: 'They keep running (and cost money); decide again later.',
    danger: false,
  },
  'keep-waiting': {
    label: 'Keep waiting',
    hint: 'Verification goes on for another deadline period.',
    danger: false,
  },
  'record-moved': {
    label: 'Record as moved',
    hint: 'Trust what you know over the checks; a comment with the reason is required.',
    danger: true,
  },
};

/** The question a gate asks, as a sentence. */
export function gateQuestion(view: Pick<GateView, 'kind' | 'app'>): string {
  const app = view.app ?? 'the application';
  switch (view.kind) {
    case 'cutover':
      return `Move ${app} to Amazon MSK now?`;
    case 'keep-or-rollback':
      return `Keep ${app} on Amazon MSK, or roll it back?`;
    case 'verify-timeout':
      return `The cutover of ${app} was not verified in time: keep waiting, roll back, or record it as moved?`;
    case 'rollback-verify-timeout':
      return `The rollback of ${app} was not verified in time: keep waiting, or record it as rolled back?`;
    case 'teardown':
      return 'Delete the replicators and end the migration?';
  }
}

/** What the operator must do for this gate, one step per line. */
export function operatorSteps(view: GateView): string[] {
  const target =
    view.targetBrokers ?? '(see the MSK console: View client information)';
  const source = view.sourceBrokers.join(',');
  const groups =
    view.consumerGroups.length > 0 ? view.consumerGroups.join(', ') : 'none';
  const produced = view.produces.length > 0 ? view.produces.join(', ') : 'none';
  const iam =
    'security.protocol=SASL_SSL, sasl.mechanism=AWS_MSK_IAM, ' +
    'sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;, ' +
    'sasl.client.callback.handler.class=software.amazon.msk.auth.iam.IAMClientCallbackHandler';
  switch (view.kind) {
    case 'cutover':
      return [
        `Switch to: stop every instance of ${view.app}, set bootstrap.servers=${target} with ${iam}, then start it again. Keep the same group ids (${groups}): their offsets were synced to MSK.`,
        `Verify: after you decide "cut over", the workflow checks that the groups ${groups} are active on MSK and empty on ${view.sourceName}, that the topics it produces (${produced}) receive data on MSK, and that the lag drained. It then asks you to keep or roll back.`,
        `Roll back: at the next gate choose "Roll back", then point ${view.app} at bootstrap.servers=${source} with its SCRAM credentials again. The reverse replicator keeps ${view.sourceName} up to date in the meantime.`,
      ];
    case 'keep-or-rollback':
      return [
        `Keep: nothing to change; ${view.app} stays on ${target}.`,
        `Roll back: choose "Roll back", stop every instance of ${view.app}, set bootstrap.servers=${source} with its SCRAM credentials, and start it again with the same group ids (${groups}).`,
        `Verify: the workflow checks that the groups are active on ${view.sourceName} and empty on MSK before it asks again.`,
      ];
    case 'teardown':
      return [
        `Delete: removes the replicators (${view.replicators.join(', ') || 'of this migration'}). Rollback to ${view.sourceName} is no longer possible afterwards.`,
        'Verify first: every application you kept runs on MSK only, and nothing still produces to the source topics.',
        keepReplicatorsSentence(view.asked ?? 0),
      ];
    case 'verify-timeout':
      return [
        `Why: the checks after the cutover decision did not pass before the deadline (readiness.verifyTimeoutMinutes); the evidence above says what was missing. ${view.app} may still be on ${view.sourceName}, split, or on MSK with a signal the checks cannot see (e.g. an idle producer).`,
        'Keep waiting: the checks go on for another deadline period, then ask again.',
        `Roll back: point ${view.app} at bootstrap.servers=${source} with its SCRAM credentials again (or leave it there if it never moved); the workflow verifies the rollback.`,
        `Record as moved: only if you know ${view.app} runs on MSK (groups ${groups}, topics ${produced}); the ledger records it as on the target with your comment as the reason, and the keep-or-rollback gate follows.`,
      ];
    case 'rollback-verify-timeout':
      return [
        `Why: the checks after the rollback decision did not pass before the deadline (readiness.verifyTimeoutMinutes); the evidence above says what was missing.`,
        'Keep waiting: the checks go on for another deadline period, then ask again.',
        `Record as rolled back: only if you know ${view.app} runs on ${view.sourceName} again (bootstrap.servers=${source}); the ledger records it as rolled back with your comment as the reason, and readiness is checked again before any new cutover.`,
      ];
  }
}

// ------------------------------------------------------------ evidence

/** Reads the evidence records (shape owned by their phases) defensively. */
export function summarizeEvidence(
  readiness: EvidenceRecord | null,
  measurement: EvidenceRecord | null,
): EvidenceSummary | null {
  const main = readiness ?? measurement;
  if (!main) return null;
  const figures: { name: string; value: string }[] = [];
  for (const rec of [readiness, measurement]) {
    if (rec) collectFigures(rec.data, '', figures, 0);
  }
  const groups =
    findGroups(measurement?.data) ?? findGroups(readiness?.data) ?? [];
  return {
    evidenceId: main.evidenceId,
    at: main.at,
    ready: typeof main.ready === 'boolean' ? main.ready : null,
    reasons: main.reasons.slice(0, 50),
    figures: figures.slice(0, 60),
    groups: groups.slice(0, 200),
  };
}

function collectFigures(
  value: unknown,
  prefix: string,
  out: { name: string; value: string }[],
  depth: number,
): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${k}` : k;
    // References to other records are not figures a person weighs.
    if (/Id$/.test(k)) continue;
    if (typeof v === 'number') {
      out.push({ name, value: formatNumber(v) });
    } else if (typeof v === 'boolean') {
      out.push({ name, value: String(v) });
    } else if (typeof v === 'string' && v.length <= 120) {
      out.push({ name, value: v });
    } else if (v === null) {
      out.push({ name, value: 'no data' });
    } else if (depth < 2 && !Array.isArray(v)) {
      collectFigures(v, name, out, depth + 1);
    }
  }
}

function formatNumber(n: number): string {
  return Number.isInteger(n)
    ? n.toLocaleString('en-US')
    : n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function isSide(v: unknown): v is GroupSide {
  const s = v as GroupSide | null;
  return (
    s !== null &&
    typeof s === 'object' &&
    typeof s.state === 'string' &&
    typeof s.members === 'number'
  );
}

function findGroups(data: unknown): GroupMeasurement[] | null {
  if (!data || typeof data !== 'object') return null;
  for (const key of ['groups', 'measurements']) {
    const list = (data as Record<string, unknown>)[key];
    if (!Array.isArray(list)) continue;
    const groups = list.filter(
      (g): g is GroupMeasurement =>
        typeof g === 'object' &&
        g !== null &&
        typeof (g as GroupMeasurement).group === 'string' &&
        ((g as GroupMeasurement).source === null ||
          isSide((g as GroupMeasurement).source)) &&
        ((g as GroupMeasurement).target === null ||
          isSide((g as GroupMeasurement).target)),
    );
    if (groups.length > 0) return groups;
  }
  return null;
}

// ------------------------------------------------------------ HTML

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

const STYLE = `
:root{color-scheme:light dark;font-family:system-ui,sans-serif;line-height:1.45}
body{margin:0 auto;max-width:46rem;padding:1rem}
li,p,td{overflow-wrap:anywhere}
h1{font-size:1.4rem;margin:.2rem 0 1rem}
h2{font-size:1.1rem;margin-top:1.6rem}
.meta{color:GrayText;font-size:.9rem}
.box{border:1px solid GrayText;border-radius:.4rem;padding:.6rem .9rem;margin:1rem 0}
.ok{border-color:#2e7d32}.bad{border-color:#c62828}
.table{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid GrayText;vertical-align:top}
code{overflow-wrap:anywhere}
label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input,textarea{width:100%;box-sizing:border-box;font:inherit;padding:.5rem}
.buttons{display:flex;flex-wrap:wrap;gap:.6rem;margin-top:1rem}
button{font:inherit;padding:.7rem 1rem;border-radius:.4rem;border:1px solid GrayText;cursor:pointer;flex:1 1 12rem}
button.danger{border-color:#c62828;color:#c62828}
.hint{display:block;font-size:.8rem;font-weight:normal}
`.trim();

/** The CSP source for the one inline stylesheet. */
export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/**
 * Headers of every approval-api response. No script runs; the only inline
 * style is allowed by its hash; forms may post only back to this origin;
 * the page cannot be framed, cached, or leak its URL (which carries the
 * signature) in a Referer.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': [
    "default-src 'none'",
    `style-src ${STYLE_HASH}`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; '),
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'x-robots-tag': 'noindex, nofollow',
};

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
