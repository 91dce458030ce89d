/**
 * A wave gate's page in a real headless Chromium (Debian's
 * /usr/bin/chromium via playwright-core), for a wave of 20 applications
 * with long names, at a phone's width (430 px) and a desktop's (1280 px):
 * nothing wider than the screen, no value broken across lines (every fold
 * opened), no script and no CSP violation under the pages' own headers,
 * and the form posts the checked `skip` / `rollback` values. The page is
 * served by intercepting requests in the browser (page.route), so the
 * POST is read as the browser sends it without an API behind it.
 * Screenshots are kept in test-output/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECURITY_HEADERS } from '../../functions/shared/approvals/headers.ts';
import { renderWaveGatePage } from '../../functions/shared/approvals/wave-html.ts';
import {
  type WaveAppInput,
  waveGateViewOf,
} from '../../functions/shared/approvals/wave-view.ts';
import {
  approvalOf,
  cutoverApps,
  plan,
  TARGET_BROKERS,
} from '../functions/shared/approvals/wave-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = new URL('../../test-output/', import.meta.url);
const ORIGIN = 'https://approvals.example.test';
const PAGE_URL = `${ORIGIN}/approvals/AbCdEfGhIjKlMnOpQrStUv?sig=1.x`;
const WIDTHS = [
  { name: 'phone', width: 430, height: 932, isMobile: true },
  { name: 'desktop', width: 1280, height: 800, isMobile: false },
] as const;

/** 20 applications with names of 60 characters and more, some unbreakable. */
const NAMES = Array.from({ length: 20 }, (_, i) =>
  i % 2 === 0
    ? `customer-notification-preferences-service-eu-west-${String(i).padStart(2, '0')}`
    : `ordersfulfilmentreconciliationbatchprocessorforwarehouses${String(i).padStart(3, '0')}`,
);
const NOT_READY = [NAMES[3] ?? '', NAMES[11] ?? ''];

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium package to run the browser tests`,
    );
  }
  mkdirSync(OUTPUT, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

/**
 * Serves `html` at PAGE_URL with the approval pages' headers, and records
 * the body of any POST to it (answered with a plain page).
 */
async function open(
  size: (typeof WIDTHS)[number],
  html: string,
): Promise<{ page: Page; problems: string[]; posts: string[] }> {
  const page = await browser.newPage({
    viewport: { width: size.width, height: size.height },
    isMobile: size.isMobile,
  });
  const problems: string[] = [];
  const posts: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.route(`${ORIGIN}/**`, async (route) => {
    const request = route.request();
    if (request.method() === 'POST') {
      posts.push(request.postData() ?? '');
      await route.fulfill({
        status: 200,
        headers: { ...SECURITY_HEADERS },
        body: '<!doctype html><title>decided</title><p>decided</p>',
      });
      return;
    }
    await route.fulfill({
      status: 200,
      headers: { ...SECURITY_HEADERS },
      body: html,
    });
  });
  expect((await page.goto(PAGE_URL))?.status()).toBe(200);
  return { page, problems, posts };
}

interface Layout {
  scrollWidth: number;
  innerWidth: number;
  values: number;
  broken: string[];
  scripts: number;
}

/** As in layout.test.ts: the page's width and every value's line boxes. */
async function layoutOf(page: Page): Promise<Layout> {
  return page.evaluate<Layout>(`(() => {
    const values = [...document.querySelectorAll('time, .num, .nw, .verdict, label.pick')]
      .filter((el) => el.getClientRects().length > 0);
    const broken = (el) => {
      if (el.children.length === 0) return el.getClientRects().length !== 1;
      const line = parseFloat(getComputedStyle(el).lineHeight);
      return el.getBoundingClientRect().height > 1.5 * line;
    };
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      values: values.length,
      broken: values.filter(broken).map((el) => el.textContent),
      scripts: document.scripts.length,
    };
  })()`);
}

const cutoverHtml = () =>
  renderWaveGatePage(
    waveGateViewOf({
      plan,
      approval: approvalOf('wave-cutover', 'wave-07-payments-and-fulfilment'),
      apps: cutoverApps(NAMES, NOT_READY),
      targetBrokers: TARGET_BROKERS,
    }),
    {
      action: 'AbCdEfGhIjKlMnOpQrStUv?sig=1.x',
      nonce: 'n0nce',
      overview: '../overview/orders-platform?sig=2.y',
    },
  );

/** The form body's values of one field, in order. */
const fieldValues = (body: string, field: string) =>
  new URLSearchParams(body).getAll(field);

describe('wave gate page layout', () => {
  for (const size of WIDTHS) {
    it(`should list 20 applications with long names at ${size.width} px without overflow or broken values`, async () => {
      const { page, problems } = await open(size, cutoverHtml());
      expect(await page.locator('h1').textContent()).toBe(
        'Move the 20 applications of wave wave-07-payments-and-fulfilment to Amazon MSK now?',
      );
      const recommendation = page.locator('.recommend');
      expect(await recommendation.textContent()).toContain('18 of 20 ready;');
      const box = await recommendation.boundingBox();
      expect((box?.y ?? 1e9) + (box?.height ?? 0)).toBeLessThanOrEqual(
        size.height,
      );
      expect(await page.locator('li.wapp').count()).toBe(20);
      await page.screenshot({
        path: new URL(`wave-cutover-${size.width}-first-screen.png`, OUTPUT)
          .pathname,
      });
      await page.screenshot({
        path: new URL(`wave-cutover-${size.width}.png`, OUTPUT).pathname,
        fullPage: true,
      });
      const folded = await layoutOf(page);
      // Against the screen's width, not innerWidth: a phone (isMobile)
      // widens its layout viewport to content wider than the screen.
      expect(folded.innerWidth).toBe(size.width);
      expect(folded.scrollWidth).toBeLessThanOrEqual(size.width);
      expect(folded.broken).toEqual([]);
      expect(folded.scripts).toBe(0);
      await page.evaluate(
        `document.querySelectorAll('details').forEach((d) => { d.open = true; })`,
      );
      const unfolded = await layoutOf(page);
      // Every application's rules: a value, a threshold and a verdict each.
      expect(unfolded.values).toBeGreaterThanOrEqual(20 * 9 * 3);
      expect(unfolded.innerWidth).toBe(size.width);
      expect(unfolded.scrollWidth).toBeLessThanOrEqual(size.width);
      expect(unfolded.broken).toEqual([]);
      await page.screenshot({
        path: new URL(`wave-cutover-${size.width}-unfolded.png`, OUTPUT)
          .pathname,
        fullPage: true,
      });
      expect(problems).toEqual([]);
      await page.close();
    }, 60_000);
  }

  it('should post the checked applications as repeated `skip` fields with the decision', async () => {
    const { page, problems, posts } = await open(WIDTHS[0], cutoverHtml());
    // The two not ready are pre-checked; check one more, uncheck one.
    await page.locator(`input[name="skip"][value="${NAMES[0]}"]`).check();
    await page.locator(`input[name="skip"][value="${NAMES[11]}"]`).uncheck();
    await page.fill('#approver', 'Dana On-call');
    await Promise.all([
      page.waitForURL(PAGE_URL),
      page.locator('button[value="cutover"]').click(),
    ]);
    expect(posts).toHaveLength(1);
    const body = posts[0] ?? '';
    expect(new URLSearchParams(body).get('decision')).toBe('cutover');
    expect(new URLSearchParams(body).get('approver')).toBe('Dana On-call');
    expect(new URLSearchParams(body).get('nonce')).toBe('n0nce');
    expect(fieldValues(body, 'skip')).toEqual([NAMES[0], NAMES[3]]);
    expect(fieldValues(body, 'rollback')).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('should post the checked `rollback` values at the keep-or-rollback gate, hostile names intact', async () => {
    const evil = `x"><img src=x onerror=alert(1)>&amp;`;
    const apps: WaveAppInput[] = [
      { name: NAMES[0] ?? '', outcome: 'verified' },
      { name: evil, outcome: 'failed', error: 'ReplicatorFailedError' },
      { name: NAMES[2] ?? '', outcome: 'skipped' },
      { name: NAMES[3] ?? '', outcome: 'unverified' },
    ];
    const html = renderWaveGatePage(
      waveGateViewOf({
        plan,
        approval: approvalOf('wave-keep-or-rollback', 'w1'),
        apps,
        targetBrokers: TARGET_BROKERS,
      }),
      { action: 'AbCdEfGhIjKlMnOpQrStUv?sig=1.x', nonce: 'n0nce' },
    );
    const { page, problems, posts } = await open(WIDTHS[1], html);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('input[type="checkbox"]').count()).toBe(3);
    await page.fill('#approver', 'Dana');
    await page.fill('#comment', 'kept after a manual check');
    await page.screenshot({
      path: new URL('wave-keep-1280.png', OUTPUT).pathname,
      fullPage: true,
    });
    await Promise.all([
      page.waitForURL(PAGE_URL),
      page.locator('button[value="keep"]').click(),
    ]);
    expect(fieldValues(posts[0] ?? '', 'rollback')).toEqual([evil, NAMES[3]]);
    expect(new URLSearchParams(posts[0] ?? '').get('decision')).toBe('keep');
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
