/**
 * A wave gate's page: the question and the recommendation first, then
 * every application of the wave in one line (name, verdict, why) with its
 * checkbox (`skip` at the cutover gate, `rollback` at the keep-or-rollback
 * gate) and its evidence folded under it, the client settings once for
 * the wave, and the decision form. Same stylesheet, CSP and escaping as
 * the single-application page (./html.ts); no script.
 */
import {
  escapeHtml,
  evidenceBody,
  evidenceDetails,
  type FormState,
  layout,
  timeHtml,
} from './html.ts';
import {
  WAVE_DECISION_LABELS,
  type WaveAppView,
  type WaveGateView,
} from './wave-view.ts';

const TONE = { go: 'pass', wait: 'fail', neutral: 'info' } as const;

function appCard(a: WaveAppView, i: number): string {
  const id = `app-${i}`;
  const choice = a.choice
    ? `<label class="pick" for="${id}"><input type="checkbox" id="${id}" name="${a.choice.field}" value="${escapeHtml(a.name)}"${a.choice.checked ? ' checked' : ''}> ${a.choice.field === 'skip' ? 'skip' : 'roll back'}</label>`
    : '';
  const facts = `<div class="table"><table><tbody>
<tr><th scope="row">Produces</th><td>${escapeHtml(a.produces.join(', ') || 'nothing')}</td></tr>
<tr><th scope="row">Consumes</th><td>${escapeHtml(a.consumes.join(', ') || 'nothing')}</td></tr>
<tr><th scope="row">Consumer groups</th><td>${escapeHtml(a.consumerGroups.join(', ') || 'none')}</td></tr>
</tbody></table></div>`;
  return `<li class="wapp">
<div class="wline">${choice}<strong class="wname">${escapeHtml(a.name)}</strong> <span class="verdict ${TONE[a.verdict.tone]}">${escapeHtml(a.status)}</span></div>
<p class="why">${escapeHtml(a.verdict.text)}</p>
<details><summary>Its evidence</summary>
${evidenceBody(a.evidence)}
${evidenceDetails(a.evidence)}
${facts}
</details>
</li>`;
}

/** The open wave gate: question, each application, settings, and the decision form. */
export function renderWaveGatePage(
  view: WaveGateView,
  form: FormState,
): string {
  const labels = WAVE_DECISION_LABELS[view.kind];
  const buttons = view.decisions
    .map((d) => {
      const l = labels[d] ?? { label: d, hint: '', danger: false };
      return `<button type="submit" name="decision" value="${escapeHtml(d)}"${l.danger ? ' class="danger"' : ''}>${escapeHtml(l.label)}<span class="hint">${escapeHtml(l.hint)}</span></button>`;
    })
    .join('\n');
  const r = view.recommendation;
  const tone = r.tone === 'go' ? ' ok' : r.tone === 'wait' ? ' bad' : '';
  const note = view.note ? `<p class="box">${escapeHtml(view.note)}</p>` : '';
  const error = form.error
    ? `<p class="box bad" role="alert">${escapeHtml(form.error)}</p>`
    : '';
  const pick =
    view.kind === 'wave-cutover'
      ? 'Checked applications are skipped: they stay on the source. The applications not ready are pre-checked.'
      : 'Checked applications are rolled back to the source; the others are kept. Those not verified are pre-checked.';
  const settings =
    view.clientSettings.length > 0
      ? `<h2>Client settings</h2><p class="meta">The same for every application of the wave (same clusters).</p>${view.clientSettings
          .map(
            (c) =>
              `<h3>${escapeHtml(c.title)}</h3><pre class="props">${escapeHtml(c.properties)}</pre>`,
          )
          .join('\n')}`
      : '';
  const overview = form.overview
    ? `<p class="meta"><a href="${escapeHtml(form.overview)}">The whole migration (read-only)</a></p>`
    : '';
  const body = `<p class="meta">msk-cutover · migration ${escapeHtml(view.migrationId)} · wave ${escapeHtml(view.wave)} · ${escapeHtml(view.kind)} gate</p>
<h1>${escapeHtml(view.question)}</h1>
<p class="box recommend${tone}"><strong>Recommendation:</strong> ${escapeHtml(r.text)}</p>
${note}
${error}
<form method="post" action="${escapeHtml(form.action)}">
<input type="hidden" name="nonce" value="${escapeHtml(form.nonce)}">
<h2>Applications of wave ${escapeHtml(view.wave)} (${view.applications.length})</h2>
<p class="meta">${pick}</p>
<ul class="cards waves">
${view.applications.map(appCard).join('\n')}
</ul>
${settings}
<h2>Decide</h2>
<label for="approver">Your name (recorded with the decision)</label>
<input id="approver" name="approver" required maxlength="100" autocomplete="name" value="${escapeHtml(form.approver ?? '')}">
<label for="comment">Comment (${view.kind === 'wave-keep-or-rollback' ? 'say why when you keep an application that was not verified' : 'optional'})</label>
<textarea id="comment" name="comment" rows="3" maxlength="1000">${escapeHtml(form.comment ?? '')}</textarea>
<div class="buttons">
${buttons}
</div>
</form>
<p class="meta">Requested ${timeHtml(view.createdAt)}. This link works until ${timeHtml(view.expiresAt)} and decides once.</p>
${overview}`;
  return layout(view.question, body);
}
