import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../../../functions/shared/approvals/html.ts';
import { buildWaveGateEmail } from '../../../../functions/shared/approvals/wave-email.ts';
import { renderWaveGatePage } from '../../../../functions/shared/approvals/wave-html.ts';
import {
  type WaveAppInput,
  waveGateViewOf,
} from '../../../../functions/shared/approvals/wave-view.ts';
import { WaveDecisionsByGate } from '../../../../functions/shared/wave-contracts.ts';
import {
  approvalOf,
  cutoverApps,
  measurementOf,
  plan,
  TARGET_BROKERS,
} from './wave-fixture.ts';

const form = { action: 'AbCdEf?sig=1.x', nonce: 'n0nce' };
const THREE = ['orders', 'order-status', 'customer-notification'];

const cutoverView = (apps: WaveAppInput[], wave = 'wave-1') =>
  waveGateViewOf({
    plan,
    approval: approvalOf('wave-cutover', wave),
    apps,
    targetBrokers: TARGET_BROKERS,
  });
const keepView = (apps: WaveAppInput[], wave = 'wave-1') =>
  waveGateViewOf({
    plan,
    approval: approvalOf('wave-keep-or-rollback', wave),
    apps,
    targetBrokers: TARGET_BROKERS,
  });

/** The checkboxes of a page: name, value (unescaped) and whether checked. */
function checkboxes(html: string) {
  return [...html.matchAll(/<input type="checkbox"[^>]*>/g)].map(([tag]) => ({
    name: /name="([^"]*)"/.exec(tag)?.[1],
    value: /value="([^"]*)"/.exec(tag)?.[1],
    checked: / checked/.test(tag),
  }));
}
const buttons = (html: string) =>
  [
    ...html.matchAll(/<button type="submit" name="decision" value="([^"]*)"/g),
  ].map((m) => m[1]);

describe('the wave cutover gate', () => {
  it('should recommend cutting over when every application is ready, with one skip checkbox per application, none checked', () => {
    const view = cutoverView(cutoverApps(THREE));
    expect(view.recommendation).toEqual({
      tone: 'go',
      text: 'All 3 applications are ready: cut over.',
    });
    expect(view.question).toBe(
      'Move the 3 applications of wave wave-1 to Amazon MSK now?',
    );
    expect(view.applications.map((a) => [a.name, a.status])).toEqual(
      THREE.map((n) => [n, 'ready']),
    );
    const html = renderWaveGatePage(view, form);
    expect(checkboxes(html)).toEqual(
      THREE.map((value) => ({ name: 'skip', value, checked: false })),
    );
    expect(buttons(html)).toEqual(['cutover', 'postpone', 'abort']);
    expect(buttons(html)).toEqual([...WaveDecisionsByGate['wave-cutover']]);
    expect(html).toContain('>Cut over<');
    expect(html).toContain('>Postpone<');
    expect(html).toContain('>Abort<');
  });

  it('should name the applications not ready, say why, and pre-check them to skip', () => {
    const view = cutoverView(cutoverApps(THREE, ['order-status']));
    expect(view.recommendation.tone).toBe('wait');
    expect(view.recommendation.text).toBe(
      '2 of 3 ready; order-status is not: postpone, or cut over the others and skip it (pre-checked).',
    );
    const app = view.applications[1];
    expect(app?.status).toBe('not ready');
    expect(app?.verdict.text).toBe(
      'Not ready: Caught up (records not yet copied) failing.',
    );
    expect(checkboxes(renderWaveGatePage(view, form))).toEqual([
      { name: 'skip', value: 'orders', checked: false },
      { name: 'skip', value: 'order-status', checked: true },
      { name: 'skip', value: 'customer-notification', checked: false },
    ]);
  });

  it('should say postpone when none is ready, and treat an application without evidence as not ready', () => {
    const none = cutoverView(cutoverApps(THREE, THREE));
    expect(none.recommendation.text).toBe(
      'None of the 3 applications is ready: postpone.',
    );
    const missing = cutoverView([
      ...cutoverApps(['orders', 'order-status']),
      { name: 'customer-notification' },
    ]);
    expect(missing.applications[2]?.status).toBe('no evidence');
    expect(missing.applications[2]?.choice).toEqual({
      field: 'skip',
      checked: true,
    });
    expect(missing.recommendation.tone).toBe('wait');
  });

  it('should show every application’s own rules and parity consequence, folded under a one-line verdict', () => {
    const html = renderWaveGatePage(
      cutoverView(cutoverApps(THREE, ['orders'])),
      form,
    );
    for (const name of THREE) {
      expect(html).toContain(`<strong class="wname">${name}</strong>`);
      expect(html).toContain(`<strong>${name}-consumer</strong>`);
    }
    // One rules table per application, the failing one marked.
    expect(html.match(/<summary>Its evidence<\/summary>/g)).toHaveLength(3);
    expect(html.match(/<table class="rules">/g)).toHaveLength(3);
    expect(html.match(/class="rule-fail"/g)).toHaveLength(1);
    expect(html).toContain(
      'On MSK the group resumes about 750 records earlier: those records are read again (duplicates, no loss).',
    );
  });

  it('should give the client settings once for the wave', () => {
    const view = cutoverView(cutoverApps(THREE));
    expect(view.clientSettings.map((c) => c.direction)).toEqual([
      'cutover',
      'rollback',
    ]);
    const html = renderWaveGatePage(view, form);
    expect(html.match(/<pre class="props">/g)).toHaveLength(2);
    expect(html.match(/sasl.mechanism=AWS_MSK_IAM/g)).toHaveLength(1);
    expect(html).toContain(`bootstrap.servers=${TARGET_BROKERS}`);
    expect(html).not.toMatch(/password=(?!&quot;&lt;)/);
  });
});

describe('offset parity at the wave cutover gate', () => {
  it('should ask to read the parity of an application that could miss records, without pre-checking it', () => {
    const apps = cutoverApps(THREE);
    const risky = apps[2] as WaveAppInput;
    const m = measurementOf(risky.name);
    const group = (m.data.groups as { source: object; target: object }[])[0];
    // 800 records left on the source, 50 on MSK: up to 750 could be missed.
    Object.assign(group?.source ?? {}, { sumOffsetLag: 800 });
    Object.assign(group?.target ?? {}, { sumOffsetLag: 50 });
    const view = cutoverView([
      ...apps.slice(0, 2),
      { ...risky, measurement: m },
    ]);
    expect(view.applications[2]?.verdict).toEqual({
      tone: 'neutral',
      text: 'Ready, but read its offset parity: it could miss records.',
    });
    expect(view.applications[2]?.choice?.checked).toBe(false);
    expect(view.recommendation).toEqual({
      tone: 'neutral',
      text: 'All 3 applications are ready, but read the offset parity of customer-notification before cutting over.',
    });
  });
});

describe('the wave keep-or-rollback gate', () => {
  const outcomes: WaveAppInput[] = [
    { name: 'orders', outcome: 'verified' },
    { name: 'order-status', outcome: 'failed', error: 'ReplicatorFailedError' },
    { name: 'customer-notification', outcome: 'skipped' },
    { name: 'billing', outcome: 'unverified' },
  ];

  it('should show each outcome, a rollback checkbox per moved application with the unverified and failed pre-checked, and only "keep"', () => {
    const view = keepView(outcomes);
    expect(view.applications.map((a) => a.status)).toEqual([
      'verified',
      'failed',
      'skipped',
      'unverified',
    ]);
    const html = renderWaveGatePage(view, form);
    expect(checkboxes(html)).toEqual([
      { name: 'rollback', value: 'orders', checked: false },
      { name: 'rollback', value: 'order-status', checked: true },
      { name: 'rollback', value: 'billing', checked: true },
    ]);
    expect(buttons(html)).toEqual([
      ...WaveDecisionsByGate['wave-keep-or-rollback'],
    ]);
    expect(html).toContain('>Keep (roll back the checked)<');
    expect(view.recommendation.text).toBe(
      '1 of 3 verified; order-status failed verification; billing was not verified in time: roll them back (pre-checked). 1 application was not moved.',
    );
    expect(html).toContain(
      'Its cutover failed (ReplicatorFailedError): roll it back.',
    );
  });

  it('should recommend rolling back the one that failed and keeping the rest', () => {
    const view = keepView([
      { name: 'orders', outcome: 'verified' },
      { name: 'order-status', outcome: 'verified' },
      { name: 'customer-notification', outcome: 'failed' },
    ]);
    expect(view.recommendation).toEqual({
      tone: 'wait',
      text: '2 of 3 verified; customer-notification failed verification: roll it back (pre-checked).',
    });
    const all = keepView(THREE.map((name) => ({ name, outcome: 'verified' })));
    expect(all.recommendation).toEqual({
      tone: 'go',
      text: 'All 3 applications that moved were verified on Amazon MSK: keep.',
    });
    const none = keepView(THREE.map((name) => ({ name, outcome: 'skipped' })));
    expect(none.recommendation.text).toBe(
      'No application of the wave moved: keep (nothing to roll back).',
    );
    expect(checkboxes(renderWaveGatePage(none, form))).toEqual([]);
    expect(all.clientSettings.map((c) => c.direction)).toEqual([
      'rollback',
      'cutover',
    ]);
  });
});

describe('hostile names', () => {
  const evil = '<img src=x onerror=alert(1)>"\'&';

  it('should escape wave and application names everywhere on the page, and post them back as they are', () => {
    const apps: WaveAppInput[] = [
      {
        name: evil,
        readiness: null,
        measurement: measurementOf(evil),
      },
      ...cutoverApps(['orders']),
    ];
    const html = renderWaveGatePage(cutoverView(apps, `w${evil}`), {
      ...form,
      approver: evil,
    });
    expect(html).not.toContain('<img');
    expect(html).not.toContain(evil);
    expect(html).toContain(escapeHtml(evil));
    const [box] = checkboxes(html);
    expect(box?.value).toBe(escapeHtml(evil));
    expect(html).not.toMatch(/<script/);
    const keep = renderWaveGatePage(
      keepView([{ name: evil, outcome: 'failed', error: evil }], evil),
      form,
    );
    expect(keep).not.toContain('<img');
    expect(keep).not.toContain(evil);
  });
});

describe('the wave email', () => {
  it('should list every application with its verdict, the pre-checked ones marked, and the decisions', () => {
    const view = {
      ...cutoverView(cutoverApps(THREE, ['order-status'])),
      overviewUrl: 'https://api.example/overview/orders-platform?sig=2.y',
    };
    const mail = buildWaveGateEmail(
      view,
      'https://api.example/approvals/AbCdEf?sig=1.x',
    );
    expect(mail.subject).toBe(
      '[msk-cutover] orders-platform: approve cutover of wave wave-1 (3 applications)',
    );
    expect(mail.body).toContain(
      '  [ ] orders: READY: Ready: every rule held, no records would be missed.',
    );
    expect(mail.body).toContain(
      '  [x] order-status: NOT READY: Not ready: Caught up (records not yet copied) failing.',
    );
    expect(mail.body).toContain(
      '        FAIL Caught up (records not yet copied): 4,000 records (must be ≤ 1,000)',
    );
    expect(mail.body.match(/sasl.mechanism=AWS_MSK_IAM/g)).toHaveLength(1);
    expect(mail.body).toContain('- Cut over: ');
    expect(mail.body).toContain('- Postpone: ');
    expect(mail.body).toContain('- Abort: ');
    expect(mail.body).toContain(view.overviewUrl);
    expect(mail.body).not.toContain('taskToken');
  });
});
