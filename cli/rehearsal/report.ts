/**
 * The rehearsal's HTML report: one self-contained file (no script, no
 * external asset) with the outcome, the timeline, every gate with its
 * evidence and email, inline SVG charts of MessageLag, ReplicationLatency
 * and SumOffsetLag over virtual time, and the Step Functions and AWS
 * accounting.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RehearsalResult, Series } from './rehearse.ts';

/** A wave of the rehearsed plan (its `cutoverWaves[]`), in plan order. */
export interface ReportWave {
  name: string;
  applications: readonly string[];
}

/**
 * What the report reads beyond the result: the plan's waves, when it has
 * them (or `waves` on the result itself), and, on a gate record, the wave
 * a wave gate decides (`wave`).
 */
export interface ReportOptions {
  waves?: readonly ReportWave[];
}

type ReportGate = RehearsalResult['gates'][number] & { wave?: string };
type ReportResult = RehearsalResult & { waves?: readonly ReportWave[] };

const COLORS = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#ff7f0e',
  '#17becf',
  '#8c564b',
  '#e377c2',
];

function esc(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

function fmt(n: number): string {
  return n >= 10_000 ? `${Math.round(n / 1000)}k` : String(Math.round(n));
}

/** Stretches shorter than this stay on the axis, however long the run. */
const MIN_BREAK_MS = 4 * 3_600_000;
/** ...and so do stretches that take less than this share of the run. */
const MIN_BREAK_SHARE = 0.2;
/** Time kept on the axis on each side of a gate before a break. */
const BREAK_MARGIN_MS = 3_600_000;
/** Width of a compressed stretch, as a share of the plot. */
const BREAK_WIDTH = 0.06;
/** Tick spacing candidates, in minutes. */
const TICK_STEPS = [
  5,
  10,
  15,
  30,
  60,
  120,
  180,
  360,
  720,
  1440,
  2880,
  7 * 1440,
  14 * 1440,
];

export interface TimeAxis {
  /** x of virtual time `t` (epoch ms), from `left` to `left + width`. */
  x: (t: number) => number;
  /** Labelled ticks, elapsed time since the start. */
  ticks: { x: number; label: string }[];
  /** Compressed stretches: where they are drawn and how long they are. */
  breaks: { x0: number; x1: number; ms: number }[];
}

/** Elapsed time as `+h:mm`, or `+Nd hh:mm` from a day on. */
export function elapsedLabel(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = String(minutes % 60).padStart(2, '0');
  return d > 0 ? `+${d}d ${String(h).padStart(2, '0')}:${m}` : `+${h}:${m}`;
}

function hoursLabel(ms: number): string {
  const h = ms / 3_600_000;
  return h >= 48 ? `${(h / 24).toFixed(1)} d` : `${h.toFixed(1)} h`;
}

/**
 * The time axis of the charts: linear, except that a long stretch without
 * gates (the rollback window, hours of waiting for readiness) is drawn as
 * a narrow break, so the hours around the gates, where the cutover
 * happens, get the width. A stretch is compressed when it is longer than
 * 4 h and a fifth of the run, keeping an hour on each side of its gates.
 * Within a break time still runs linearly, so a curve stays continuous.
 */
export function timeAxis(
  from: number,
  to: number,
  marks: readonly number[],
  left: number,
  width: number,
): TimeAxis {
  const span = Math.max(1, to - from);
  const times = [
    from,
    ...marks.filter((t) => t > from && t < to).sort((a, b) => a - b),
    Math.max(to, from + 1),
  ];
  // Stretches to compress, in time order.
  const gaps: [number, number][] = [];
  if (marks.length > 0) {
    for (let i = 1; i < times.length; i++) {
      const a = (times[i - 1] as number) + (i > 1 ? BREAK_MARGIN_MS : 0);
      const b = (times[i] as number) - BREAK_MARGIN_MS;
      if (b - a >= MIN_BREAK_MS && b - a >= MIN_BREAK_SHARE * span) {
        gaps.push([a, b]);
      }
    }
  }
  const compressed = gaps.reduce((n, [a, b]) => n + (b - a), 0);
  const breakW = width * BREAK_WIDTH;
  const scale = (width - gaps.length * breakW) / Math.max(1, span - compressed);
  // Piecewise-linear: [start time, start x, x per ms] per piece.
  const pieces: [number, number, number][] = [];
  let t = from;
  let x = left;
  for (const [a, b] of gaps) {
    pieces.push([t, x, scale]);
    x += (a - t) * scale;
    pieces.push([a, x, breakW / (b - a)]);
    x += breakW;
    t = b;
  }
  pieces.push([t, x, scale]);
  const at = (time: number) => {
    let piece = pieces[0] as [number, number, number];
    for (const p of pieces) if (p[0] <= time) piece = p;
    return piece[1] + (time - piece[0]) * piece[2];
  };
  const breaks = gaps.map(([a, b]) => ({ x0: at(a), x1: at(b), ms: b - a }));

  // Ticks every `step` of elapsed time, on the linear parts only, about
  // eight of them; the first time after each break is labelled too.
  const visible = span - compressed;
  const step =
    (TICK_STEPS.find((m) => visible / (m * 60_000) <= 8) ??
      (TICK_STEPS.at(-1) as number)) * 60_000;
  const candidates = [from, ...gaps.map(([, b]) => b)];
  for (let k = step; k < span; k += step) candidates.push(from + k);
  const inBreak = (time: number) => gaps.some(([a, b]) => time > a && time < b);
  const ticks: { x: number; label: string }[] = [];
  for (const time of [...new Set(candidates)].sort((a, b) => a - b)) {
    if (inBreak(time)) continue;
    const tx = at(time);
    const last = ticks.at(-1);
    if (last !== undefined && tx - last.x < 48) continue;
    ticks.push({ x: tx, label: elapsedLabel(time - from) });
  }
  // The end is always labelled (ending at the axis' end, so it needs more
  // room than a centred label): the tick before it gives way.
  const end = at(to);
  if ((ticks.at(-1)?.x ?? Number.NEGATIVE_INFINITY) < end) {
    while (ticks.length > 1 && end - (ticks.at(-1)?.x ?? 0) < 90) ticks.pop();
    ticks.push({ x: end, label: elapsedLabel(to - from) });
  }
  return { x: at, ticks, breaks };
}

/**
 * A line chart as inline SVG: x is virtual time from `from` to `to` on the
 * axis of `timeAxis` (long stretches without gates compressed), one
 * polyline per series, gate openings as vertical marks.
 */
export function svgChart(
  title: string,
  unit: string,
  series: Series[],
  from: number,
  to: number,
  marks: readonly (number | ChartMark)[] = [],
): string {
  const labelled = marks.map((m) => (typeof m === 'number' ? { at: m } : m));
  const w = 760;
  const h = 220;
  const left = 56;
  const bottom = 28;
  // The legend beside the title when both fit (about 6 px a character),
  // on a line of its own under it when long replicator names do not.
  const legendWidth = series.reduce((n, s) => n + s.name.length + 12, 0) * 5.5;
  const titleWidth = (title.length + unit.length + 3) * 7;
  const legendBelow = titleWidth + legendWidth > w - left;
  const top = legendBelow ? 38 : 24;
  const plotW = w - left - 12;
  const plotH = h - top - bottom;
  const max = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[1])));
  const axis = timeAxis(
    from,
    to,
    labelled.map((m) => m.at),
    left,
    plotW,
  );
  const x = axis.x;
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const lines = series
    .filter((s) => s.points.length > 0)
    .map((s, i) => {
      const pts = onePixel(s.points, x)
        .map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`)
        .join(' ');
      return `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.5" points="${pts}"><title>${esc(s.name)}</title></polyline>`;
    })
    .join('');
  const legend = series
    .map(
      (s, i) =>
        `<tspan fill="${COLORS[i % COLORS.length]}" dx="${i ? 14 : 0}">■ ${esc(s.name)}${s.points.length ? '' : ' (no data)'}</tspan>`,
    )
    .join('');
  const ticks = axis.ticks
    .map((t) => {
      // The last label ends at the axis' end instead of running past it.
      const anchor = t.x > left + plotW - 30 ? 'end' : 'middle';
      return `<line x1="${t.x.toFixed(1)}" x2="${t.x.toFixed(1)}" y1="${top + plotH}" y2="${top + plotH + 4}" stroke="#333"/><text x="${t.x.toFixed(1)}" y="${h - 8}" font-size="10" text-anchor="${anchor}">${t.label}</text>`;
    })
    .join('');
  const breaks = axis.breaks
    .map((b) => {
      const mid = ((b.x0 + b.x1) / 2).toFixed(1);
      const base = top + plotH;
      return `<g class="axis-break"><title>${hoursLabel(b.ms)} without gates, compressed</title><rect x="${b.x0.toFixed(1)}" y="${top}" width="${(b.x1 - b.x0).toFixed(1)}" height="${plotH}" fill="#eee"/><path d="M${(b.x0 - 3).toFixed(1)},${base + 5} l6,-10 M${(b.x1 - 3).toFixed(1)},${base + 5} l6,-10" stroke="#333"/><text x="${mid}" y="${top + 12}" font-size="10" text-anchor="middle">${hoursLabel(b.ms)}</text></g>`;
    })
    .join('');
  // One line per pixel column: two thousand gates are no more lines than
  // the chart is wide. A line keeps its gate's title while there are few.
  const titled = labelled.length <= MAX_TITLED_MARKS;
  const line = (mx: string) => `M${mx},${top}V${top + plotH}`;
  const gateMarks = titled
    ? labelled
        .map(
          (m) =>
            `<line x1="${x(m.at).toFixed(1)}" x2="${x(m.at).toFixed(1)}" y1="${top}" y2="${top + plotH}" stroke="#999" stroke-dasharray="3,3">${m.title ? `<title>${esc(m.title)}</title>` : ''}</line>`,
        )
        .join('')
    : `<path class="gate-marks" d="${[
        ...new Set(labelled.map((m) => Math.round(x(m.at)))),
      ]
        .map((mx) => line(String(mx)))
        .join('')}" stroke="#999" stroke-dasharray="3,3"/>`;
  // A label where a group of marks (a wave's gates) begins, on the first
  // of two rows where it fits after the previous one: every mark keeps its
  // title for the rest.
  const rowEnds = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
  const markLabels = labelled
    .map((m) => {
      if (!m.label) return '';
      const lx = x(m.at) + 2;
      const width = m.label.length * 5.5 + 6;
      const row = rowEnds.findIndex((end) => lx >= end);
      if (row < 0 || lx + width > left + plotW) return '';
      rowEnds[row] = lx + width;
      return `<text class="mark-label" x="${lx.toFixed(1)}" y="${top + plotH - 4 - row * 11}" font-size="9" fill="#555">${esc(m.label)}</text>`;
    })
    .join('');
  return `<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(title)}">
<text x="${left}" y="14" font-size="12" font-weight="bold">${esc(title)} (${esc(unit)})</text>
${legendBelow ? `<text x="${left}" y="28" font-size="10">${legend}</text>` : `<text x="${w - 12}" y="14" font-size="10" text-anchor="end">${legend}</text>`}
${breaks}<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#333"/>
<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#333"/>
<text x="${left - 6}" y="${top + 4}" font-size="10" text-anchor="end">${fmt(max)}</text>
<text x="${left - 6}" y="${top + plotH}" font-size="10" text-anchor="end">0</text>
${ticks}${gateMarks}${markLabels}${lines}</svg></figure>`;
}

/** Gate marks drawn with their own title (hover) at most. */
const MAX_TITLED_MARKS = 100;

/**
 * The points of a series that a chart can show: per pixel column its
 * first, lowest, highest and last point, in time order, so a peak or a
 * drop survives and a day of points every few seconds does not weigh the
 * page down.
 */
export function onePixel(
  points: readonly [number, number][],
  x: (t: number) => number,
): [number, number][] {
  const out: [number, number][] = [];
  let column: [number, number][] = [];
  let at = Number.NaN;
  const flush = () => {
    if (column.length === 0) return;
    const first = column[0] as [number, number];
    const last = column.at(-1) as [number, number];
    let lo = first;
    let hi = first;
    for (const p of column) {
      if (p[1] < lo[1]) lo = p;
      if (p[1] > hi[1]) hi = p;
    }
    const kept = [...new Set([first, lo, hi, last])].sort(
      (a, b) => a[0] - b[0],
    );
    out.push(...kept);
    column = [];
  };
  for (const p of points) {
    const c = Math.round(x(p[0]));
    if (c !== at) {
      flush();
      at = c;
    }
    column.push(p);
  }
  flush();
  return out;
}

/** A gate's mark on a chart: when it opened, its tooltip, and a label where its group begins. */
export interface ChartMark {
  at: number;
  title?: string;
  label?: string;
}

function table(head: string[], rows: unknown[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** Rows of the timeline table; a large plan's run is cut, not the run. */
const MAX_TIMELINE_ROWS = 3000;
/** Timelines longer than this are folded (a large plan's run has thousands). */
const MAX_OPEN_TIMELINE_ROWS = 200;

function timelineTable(r: RehearsalResult): string {
  const rows = r.timeline.filter((t) => t.kind !== 'wait');
  const shown = rows.slice(0, MAX_TIMELINE_ROWS);
  const cut =
    rows.length > shown.length
      ? `<p>First ${shown.length} of ${rows.length} entries; all are in result.json.</p>`
      : '';
  const t = table(
    ['Virtual time', 'Wall ms', 'What'],
    shown.map((e) => [e.at, e.wallMs, e.text]),
  );
  return rows.length > MAX_OPEN_TIMELINE_ROWS
    ? `<details><summary>${rows.length.toLocaleString('en-US')} entries</summary>${t}</details>${cut}`
    : `${t}${cut}`;
}

/** Full gate sections at most; beyond, a table row per gate and sections for the notable ones. */
const MAX_GATE_SECTIONS = 60;
/** Applications listed unfolded at most (per wave, or in all). */
const MAX_OPEN_APPS = 20;
/** Decisions of the plain path: a gate that took another is always shown in full. */
const PLAIN_DECISIONS = new Set(['cutover', 'keep', 'teardown']);

function gateTitle(g: ReportGate, i: number): string {
  const who = g.wave !== undefined ? `wave ${g.wave}` : (g.app ?? '');
  return `Gate ${i + 1}: ${g.kind}${who ? ` — ${who}` : ''}`;
}

function gateSection(g: ReportGate, i: number): string {
  return `<section class="gate"><h3>${esc(gateTitle(g, i))}</h3>
<p>Opened ${esc(g.openedAt)}; decision <strong>${esc(g.decision)}</strong>${g.at ? ` at ${esc(g.at)}` : ''}.</p>
${g.attempts.length ? `<p>Other attempts: ${g.attempts.map((a) => `${esc(a.kind)} → ${a.status} ${esc(a.title)}`).join('; ')}</p>` : ''}
${
  g.evidence.replicators.length
    ? table(
        ['Replicator', 'MessageLag', 'ReplicationLatency (ms)'],
        g.evidence.replicators.map((x) => [
          x.name,
          x.messageLag ?? 'no data',
          x.latencyMs ?? 'no data',
        ]),
      )
    : '<p>No replicator was RUNNING.</p>'
}
${
  g.evidence.groups.length
    ? `<details><summary>Consumer groups (${g.evidence.groups.length})</summary>${table(
        ['Consumer group', 'SumOffsetLag on source', 'SumOffsetLag on target'],
        g.evidence.groups.map((x) => [
          x.group,
          x.source ?? 'no offsets',
          x.target ?? 'no offsets',
        ]),
      )}</details>`
    : ''
}
${g.email ? `<details><summary>Email: ${esc(g.email.subject)}</summary><pre>${esc(g.email.body)}</pre></details>` : ''}
</section>`;
}

/**
 * The gates: every one in full up to MAX_GATE_SECTIONS; beyond (a large
 * plan without waves asks two gates per application), one table row per
 * gate, and in full only those off the plain path (another decision,
 * other attempts), the first few and the last.
 */
function gatesHtml(gates: readonly { g: ReportGate; i: number }[]): string {
  if (gates.length === 0) return '<p>No gate opened.</p>';
  if (gates.length <= MAX_GATE_SECTIONS) {
    return gates.map(({ g, i }) => gateSection(g, i)).join('\n');
  }
  const notable = gates.filter(
    ({ g }, k) =>
      k < 3 ||
      k === gates.length - 1 ||
      g.attempts.length > 0 ||
      !PLAIN_DECISIONS.has(g.decision),
  );
  const shown = notable.slice(0, MAX_GATE_SECTIONS);
  return `<details><summary>All ${gates.length.toLocaleString('en-US')} gates, one line each</summary>${table(
    ['#', 'Gate', 'For', 'Opened', 'Decision', 'Decided'],
    gates.map(({ g, i }) => [
      i + 1,
      g.kind,
      g.wave !== undefined ? `wave ${g.wave}` : (g.app ?? ''),
      g.openedAt,
      g.decision,
      g.at ?? '',
    ]),
  )}</details>
<p>In full below: ${shown.length} of them (the first, the last, and every one decided otherwise than cutover, keep or teardown${notable.length > shown.length ? `, of which the first ${shown.length}` : ''}); all are in result.json.</p>
${shown.map(({ g, i }) => gateSection(g, i)).join('\n')}`;
}

/** `980 ON_TARGET, 20 ROLLED_BACK`: final states, most frequent first. */
function stateCounts(states: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([s, n]) => `${n.toLocaleString('en-US')} ${s}`)
    .join(', ');
}

function appsTable(
  names: readonly string[],
  apps: RehearsalResult['apps'],
): string {
  const rows = names.map((n) => [n, apps[n] ?? 'not in the result']);
  const t = table(['Application', 'Final state'], rows);
  return names.length <= MAX_OPEN_APPS
    ? t
    : `<details><summary>The ${names.length.toLocaleString('en-US')} applications</summary>${t}</details>`;
}

/** The report as one HTML document. */
export function renderReport(
  result: RehearsalResult,
  options: ReportOptions = {},
): string {
  const r = result as ReportResult;
  const waves = options.waves ?? r.waves ?? [];
  const waveOfApp = new Map<string, string>();
  for (const w of waves) {
    for (const a of w.applications) waveOfApp.set(a, w.name);
  }
  const gateList = (r.gates as ReportGate[]).map((g, i) => {
    const wave =
      g.wave ?? (g.app === undefined ? undefined : waveOfApp.get(g.app));
    return { g: wave === undefined ? g : { ...g, wave }, i };
  });
  const from = Date.parse(r.virtualStart);
  const to = Date.parse(r.virtualEnd);
  let previousWave: string | undefined;
  const marks: ChartMark[] = gateList.map(({ g, i }) => {
    const label =
      g.wave !== undefined && g.wave !== previousWave
        ? g.wave.length > 14
          ? `${g.wave.slice(0, 13)}…`
          : g.wave
        : undefined;
    previousWave = g.wave;
    return {
      at: Date.parse(g.openedAt),
      title: gateTitle(g, i),
      ...(label === undefined ? {} : { label }),
    };
  });
  const ok = r.mismatches.length === 0;
  const allApps = Object.keys(r.apps);
  const appsHtml = `<p>${allApps.length.toLocaleString('en-US')} application(s): ${esc(stateCounts(Object.values(r.apps))) || 'none'}.</p>
${waves.length > 0 ? '<p>By wave below.</p>' : appsTable(allApps, r.apps)}`;
  const wavesHtml = waves
    .map((w, k) => {
      const own = gateList.filter(({ g }) => g.wave === w.name);
      return `<section class="wave"><h3 id="wave-${k + 1}">Wave ${k + 1}: ${esc(w.name)}</h3>
<p>${w.applications.length.toLocaleString('en-US')} application(s): ${esc(stateCounts(w.applications.map((a) => r.apps[a] ?? 'not in the result')))}.</p>
${appsTable(w.applications, r.apps)}
${own.length > 0 ? gatesHtml(own) : '<p>No gate of this wave opened.</p>'}
</section>`;
    })
    .join('\n');
  const otherGates =
    waves.length > 0
      ? gateList.filter(
          ({ g }) =>
            g.wave === undefined || !waves.some((w) => w.name === g.wave),
        )
      : gateList;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>msk-cutover rehearsal: ${esc(r.scenario)} — ${esc(r.outcome)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
.ok{color:#1a7f37}.bad{color:#cf222e}pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;padding:.5em}
.gate{border-left:3px solid #1f77b4;padding-left:1em;margin:1em 0}figure{margin:1em 0;overflow-x:auto}
.wave{border-top:2px solid #1f77b4;margin:1.5em 0}summary{cursor:pointer}
svg{max-width:100%;height:auto}
</style></head><body>
<h1>Rehearsal of ${esc(r.migrationId)}: scenario ${esc(r.scenario)}</h1>
<p>${esc(r.description)}</p>
<p class="${ok ? 'ok' : 'bad'}"><strong>${ok ? 'Reached the expected outcome' : 'Did not reach the expected outcome'}</strong>:
parent execution ${esc(r.outcome)}${r.error ? ` (${esc(r.error)})` : ''}, expected ${esc(r.expected.outcome)}${r.expected.error ? ` (${esc(r.expected.error)})` : ''}.</p>
${ok ? '' : `<ul class="bad">${r.mismatches.map((m) => `<li>${esc(m)}</li>`).join('')}</ul>`}
<p>Virtual time ${esc(r.virtualStart)} → ${esc(r.virtualEnd)} (${esc(r.virtualDuration)}), wall time ${r.wallMs} ms.</p>
${r.cleanup ? `<p>Cleanup: <strong>${esc(r.cleanup.action)}</strong> — ${esc(r.cleanup.reason)}</p>` : ''}
<h2>Applications</h2>
${appsHtml}
<h2>Replicators</h2>
${table(
  ['Created', 'Still there'],
  r.replicators.created.map((n) => [
    n,
    r.replicators.remaining.includes(n) ? 'yes' : 'no',
  ]),
)}
<h2>Charts</h2>
${svgChart('MessageLag per replicator', 'records', r.charts.messageLag, from, to, marks)}
${svgChart('ReplicationLatency per replicator', 'ms', r.charts.replicationLatency, from, to, marks)}
${svgChart('SumOffsetLag of the consumer groups, both clusters', 'records', r.charts.sumOffsetLag, from, to, marks)}
<p>Dashed lines: gates opening${waves.length > 0 ? ', labelled with their wave where it begins (hover a line for its gate)' : ''}. Times are since the start of the run; a grey band is a long stretch without gates (such as the rollback window), compressed so the hours around the gates stay readable.</p>
${
  waves.length > 0
    ? `<h2>Waves</h2>
<p>${waves.length} waves, in plan order: ${waves.map((w, k) => `<a href="#wave-${k + 1}">${esc(w.name)}</a>`).join(', ')}.</p>
${wavesHtml}
<h2>Other gates</h2>
${otherGates.length > 0 ? gatesHtml(otherGates) : '<p>None.</p>'}`
    : `<h2>Gates</h2>
${gatesHtml(otherGates)}`
}
<h2>Accounting</h2>
${table(
  [
    'Execution',
    'History events',
    'State transitions',
    'Largest payload (bytes)',
  ],
  r.accounting.executions.map((e) => [
    e.name,
    e.historyEvents,
    e.stateTransitions,
    e.largestPayloadBytes,
  ]),
)}
<p>Limits: 25,000 history events and 262,144 payload bytes per execution — largest seen ${r.accounting.limits.historyEvents} and ${r.accounting.limits.payloadBytes}: <span class="${r.accounting.limits.ok ? 'ok' : 'bad'}">${r.accounting.limits.ok ? 'within' : 'EXCEEDED'}</span>.</p>
${table(['AWS call', 'Count'], Object.entries(r.accounting.awsCalls))}
<h2>Timeline</h2>
${timelineTable(r)}
</body></html>
`;
}

/** Writes `index.html` and `result.json` into `dir`; returns the HTML path. */
export function writeReport(
  dir: string,
  r: RehearsalResult,
  options: ReportOptions = {},
): string {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  const html = join(abs, 'index.html');
  writeFileSync(html, renderReport(r, options));
  writeFileSync(join(abs, 'result.json'), `${JSON.stringify(r, null, 2)}\n`);
  return html;
}
