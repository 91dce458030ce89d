/**
 * The overview page: the whole migration, read-only, from a
 * {@link MigrationOverview}. It has no form; open gates link to their own
 * pages, which decide. One small script (allowed by its hash in the CSP,
 * ./headers.ts) refreshes the live part: it fetches the JSON form of the
 * same signed URL, which carries the view model and the same part rendered
 * here, and swaps it in. Everything from the plan or the ledger is escaped
 * here, on the server, whether it reaches the page or the JSON.
 */

import type { Decision } from '../domain/types.ts';
import type { WaveGateKind } from '../wave-contracts.ts';
import { escapeHtml, layout, numHtml, timeHtml } from './html.ts';
import type {
  AppOverview,
  GateOverview,
  MigrationOverview,
  WaveOverview,
} from './overview.ts';
import { OVERVIEW_SCRIPT, REFRESH_SECONDS } from './overview-script.ts';
import { DECISION_LABELS } from './view.ts';

const STATE_WORDS: Record<AppOverview['state'], string> = {
  ON_SOURCE: 'not moved',
  CUTOVER_APPROVED: 'cutover approved',
  ON_TARGET: 'moved, not yet kept',
  KEPT_ON_TARGET: 'kept on MSK',
  ROLLBACK_APPROVED: 'rollback approved',
  ROLLED_BACK: 'rolled back',
  SKIPPED: 'skipped',
};

const GATE_WORDS: Record<GateOverview['kind'] | WaveGateKind, string> = {
  cutover: 'Cutover',
  'keep-or-rollback': 'Keep or roll back',
  'verify-timeout': 'Cutover not verified in time',
  'rollback-verify-timeout': 'Rollback not verified in time',
  teardown: 'Teardown',
  'wave-cutover': 'Wave cutover',
  'wave-keep-or-rollback': 'Wave keep or roll back',
};

function gateCard(g: GateOverview): string {
  const link = g.page
    ? `<a href="${escapeHtml(g.page)}">Open the gate’s page to decide</a>`
    : '<span>Its link expired: a reminder email brings a new one, or decide with <code>msk-cutover approve</code>.</span>';
  return `<li><strong>${escapeHtml(GATE_WORDS[g.kind])}${g.app ? ` · ${escapeHtml(g.app)}` : ''}</strong><br>
<span class="meta">open since ${timeHtml(g.openedAt)}</span><br>
<span class="meta">${g.deadline ? `times out ${timeHtml(g.deadline)}` : ''}${g.link === 'valid' ? `${g.deadline ? ' · ' : ''}link valid until ${timeHtml(g.expiresAt)}` : ''}</span><br>
${link}</li>`;
}

function appsTable(apps: AppOverview[]): string {
  const rows = apps.map(
    (a) =>
      `<tr><th scope="row"><span class="nw num">${a.position}.</span> ${escapeHtml(a.app)}</th><td><span class="state">${escapeHtml(a.clients)}</span><span class="sub">${escapeHtml(STATE_WORDS[a.state])}${a.gate ? ' · gate open' : ''}</span></td><td>${timeHtml(a.since)}</td></tr>`,
  );
  return `<div class="table"><table>
<thead><tr><th>Application</th><th>Clients</th><th>Since</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table></div>`;
}

function countsLine(w: WaveOverview): string {
  const parts = Object.entries(w.counts).map(
    ([state, n]) =>
      `${numHtml(n ?? 0)} ${escapeHtml(STATE_WORDS[state as AppOverview['state']])}`,
  );
  return `<p class="meta">${numHtml(w.apps.length)} application(s): ${parts.join(', ')}</p>`;
}

function waveSection(w: WaveOverview, several: boolean): string {
  const head = w.name === null ? '' : `<h3>Wave ${escapeHtml(w.name)}</h3>`;
  return `${head}${countsLine(w)}${several && w.apps.length > 12 ? `<details><summary>The ${w.apps.length} applications</summary>${appsTable(w.apps)}</details>` : appsTable(w.apps)}`;
}

/** The part of the page the script refreshes. */
export function renderOverviewLive(o: MigrationOverview): string {
  const gates =
    o.openGates.length === 0
      ? '<p>None: nothing waits for a decision.</p>'
      : `<ul class="cards">${o.openGates.map(gateCard).join('')}</ul>`;
  const r = o.readiness;
  const readiness = r
    ? `<ul>${
        r.readySince
          ? `<li>Every rule holds since ${timeHtml(r.readySince)}</li>`
          : `<li>Waiting since ${timeHtml(r.waitingSince)}</li>`
      }<li>Last poll ${timeHtml(r.lastPollAt)}</li>${
        r.forecast ? `<li>Forecast: ${escapeHtml(r.forecast)}</li>` : ''
      }${
        r.stalledSince
          ? `<li class="warn">Stalled since ${timeHtml(r.stalledSince)}</li>`
          : ''
      }</ul>`
    : '<p>Not polled yet.</p>';
  const replicators =
    o.replicators.length === 0
      ? '<p>None recorded.</p>'
      : `<ul>${o.replicators
          .map(
            (x) =>
              `<li>${escapeHtml(x.name)} <span class="meta">(${escapeHtml(x.direction)}, shard ${escapeHtml(x.shard)})</span></li>`,
          )
          .join('')}</ul>`;
  const e = o.lastEvidence;
  const evidence = e
    ? `<p>${e.ready === null ? '' : `<span class="verdict ${e.ready ? 'pass' : 'fail'}">${e.ready ? 'ready' : 'not ready'}</span> `}${escapeHtml(e.kind)}${e.app ? ` of ${escapeHtml(e.app)}` : ''}, ${timeHtml(e.at)}</p>${
        e.reasons.length > 0
          ? `<ul>${e.reasons.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`
          : ''
      }`
    : '<p>None recorded yet.</p>';
  const decisions =
    o.recentDecisions.length === 0
      ? ''
      : `<details><summary>Recent decisions</summary><ul>${o.recentDecisions
          .map(
            (d) =>
              `<li>${timeHtml(d.decidedAt)} ${escapeHtml(GATE_WORDS[d.kind])}${d.app ? ` · ${escapeHtml(d.app)}` : ''}: ${escapeHtml(
                Object.hasOwn(DECISION_LABELS, d.decision)
                  ? DECISION_LABELS[d.decision as Decision].label
                  : d.decision,
              )} by ${escapeHtml(d.approver)}</li>`,
          )
          .join('')}</ul></details>`;
  const several = o.waves.length > 1 || o.waves[0]?.name !== null;
  return `<p class="box"><span class="state">${escapeHtml(o.status)}</span> · started ${timeHtml(o.startedAt)} · updated ${timeHtml(o.updatedAt)}</p>
<h2>Open gates</h2>
${gates}
<h2>Applications</h2>
${o.waves.map((w) => waveSection(w, several)).join('\n')}
<h2>Readiness</h2>
${readiness}
<h2>Replicators</h2>
${replicators}
<h2>Last evidence</h2>
${evidence}
${decisions}
<p class="meta">Read ${timeHtml(o.readAt)}</p>`;
}

/** The whole overview page. */
export function renderOverviewPage(o: MigrationOverview): string {
  return layout(
    `Migration ${o.migrationId}`,
    `<p class="meta">msk-cutover · read-only overview (decides nothing)</p>
<h1>Migration ${escapeHtml(o.migrationId)}</h1>
<div id="live">
${renderOverviewLive(o)}
</div>
<p class="meta"><button type="button" id="refresh" class="small">Refresh now</button> <span id="refresh-state" role="status">Refreshes every ${REFRESH_SECONDS} s.</span></p>`,
    OVERVIEW_SCRIPT,
  );
}
