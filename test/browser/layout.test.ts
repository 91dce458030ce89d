/**
 * The approval page and the overview page in a real headless Chromium
 * (Debian's /usr/bin/chromium via playwright-core), at a phone's width
 * (430 px, where email links are opened) and a desktop's (1280 px):
 * nothing wider than the screen, no value (timestamp, number, verdict)
 * broken across lines, the question and the recommendation on the first
 * screen; the overview refreshes in place under its CSP. Screenshots are
 * kept in test-output/ as artefacts of the run.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHandler } from '../../functions/approval-api/handler.ts';
import {
  type LocalApprovalApi,
  serveApprovalApi,
} from '../../functions/approval-api/local-server.ts';
import { createHandler as createRequestHandler } from '../../functions/request-approval/handler.ts';
import {
  context,
  EXECUTION_ID,
  type GateFixture,
  MIGRATION_ID,
  newTaskToken,
  PLAN_REF,
  sfn,
  startGateFixture,
  useEnv,
} from '../functions/approval-api/gate-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = new URL('../../test-output/', import.meta.url);
const WIDTHS = [
  { name: 'phone', width: 430, height: 932, isMobile: true },
  { name: 'desktop', width: 1280, height: 800, isMobile: false },
] as const;

let fx: GateFixture;
let api: LocalApprovalApi;
let browser: Browser;
let requestApproval: ReturnType<typeof createRequestHandler>;

const APP = 'customer-notification';

/** A readiness poll that is not ready yet, with a forecast, and its measurement. */
async function recordRichEvidence(at: string): Promise<void> {
  await fx.ledger.putEvidence({
    migrationId: MIGRATION_ID,
    evidenceId: `measure-${at}-${APP}`,
    at,
    kind: 'measure',
    app: APP,
    reasons: [],
    data: {
      groups: [
        {
          group: APP,
          source: {
            state: 'Stable',
            members: 6,
            sumOffsetLag: 50,
            byTopic: { order_status: 50 },
          },
          target: {
            state: 'Empty',
            members: 0,
            sumOffsetLag: 800,
            byTopic: { order_status: 800 },
          },
        },
      ],
      parity: {
        [APP]: [
          {
            topic: 'order_status',
            partition: 0,
            sourceCommitted: '1200345',
            sourceEnd: '1200370',
            targetCommitted: '1199695',
            targetEnd: '1200420',
            duplicateWindow: 700,
          },
          {
            topic: 'order_status',
            partition: 1,
            sourceCommitted: '998877',
            sourceEnd: '998902',
            targetCommitted: '998827',
            targetEnd: '998902',
            duplicateWindow: 50,
          },
        ],
      },
    },
  });
  await fx.ledger.putEvidence({
    migrationId: MIGRATION_ID,
    evidenceId: `readiness-${at}-${APP}`,
    at,
    kind: 'readiness',
    app: APP,
    ready: false,
    reasons: [
      'MessageLag 4,000 > 1,000 on msk-cutover-orders-platform-fwd topic order_status',
    ],
    data: {
      measurementId: `measure-${at}-${APP}`,
      window: { from: at, to: at },
      heldMinutes: 0,
      sustainedMinutes: 15,
      waitingSince: '2026-11-24T08:00:00.000Z',
      queries: 27,
      forecast: {
        outlook: 'on-time',
        readyAt: '2026-11-24T11:05:00.000Z',
        deadline: '2026-11-25T08:00:00.000Z',
        rules: [
          {
            rule: 'MessageLag',
            value: 4000,
            perSecond: -1,
            etaSeconds: 3000,
            text: 'MessageLag 4,000, falling 3,600/h: below 1,000 in about 50 min',
          },
        ],
      },
      failing: 1,
      worst: {
        ReplicatorFailure: 0,
        ReplicationFailures: 0,
        ConsumerGroupOffsetSyncFailure: 0,
        KafkaClusterPingSuccessCount: 1,
        MessageLag: 4000,
        ReplicationLatency: 1_250,
        ConsumerGroupCount: 2,
        AuthError: 0,
        TargetSumOffsetLag: 800,
        SourceSumOffsetLag: 50,
      },
      passed: {
        ReplicatorFailure: 2,
        ReplicationFailures: 2,
        ConsumerGroupOffsetSyncFailure: 2,
        KafkaClusterPingSuccessCount: 4,
        ReplicationLatency: 1,
        ConsumerGroupCount: 2,
        AuthError: 4,
        TargetSumOffsetLag: 1,
        SourceSumOffsetLag: 1,
      },
      notes: [],
      outcomes: [
        {
          rule: 'MessageLag',
          subject: 'msk-cutover-orders-platform-fwd topic order_status',
          ok: false,
          value: 4000,
          limit: 1000,
        },
      ],
    },
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser test`,
    );
  }
  mkdirSync(OUTPUT, { recursive: true });
  fx = await startGateFixture();
  useEnv(fx.env);
  requestApproval = createRequestHandler({ clock: fx.clock });
  api = await serveApprovalApi(createHandler({ clock: fx.clock }));
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
  await recordRichEvidence(
    new Date(fx.clock.now().getTime() - 30_000).toISOString(),
  );
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await fx?.stop();
});

const local = (link: string) => {
  const u = new URL(link);
  return new URL(`${u.pathname.slice(1)}${u.search}`, api.baseUrl).toString();
};

async function openGate(): Promise<{ link: string; overview: string }> {
  await requestApproval(
    {
      migrationId: MIGRATION_ID,
      planRef: PLAN_REF,
      kind: 'cutover',
      app: APP,
      taskToken: newTaskToken(),
      executionId: EXECUTION_ID,
    },
    context,
  );
  const overview = /(https?:\/\/\S+\/overview\/\S+)/.exec(
    fx.lastEmail().body,
  )?.[1];
  if (!overview) throw new Error('the email carries no overview link');
  return { link: local(fx.lastLink()), overview: local(overview) };
}

async function openPage(
  size: (typeof WIDTHS)[number],
): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({
    viewport: { width: size.width, height: size.height },
    isMobile: size.isMobile,
  });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return { page, problems };
}

interface Layout {
  scrollWidth: number;
  innerWidth: number;
  /** Visible value elements, and those laid out on more than one line. */
  values: number;
  broken: string[];
}

/**
 * The page's width and every value element's line boxes: a timestamp,
 * number or verdict on two lines has two client rects. A value made of
 * several inline parts (`.nw` around a number) has a rect per part, so it
 * is broken when it is taller than one line. (Evaluated in the page as a
 * string: this project has no DOM types.)
 */
async function layoutOf(page: Page): Promise<Layout> {
  return page.evaluate<Layout>(`(() => {
    const values = [...document.querySelectorAll('time, .num, .nw, .verdict')]
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
    };
  })()`);
}

/** Opens every fold, so what is folded is checked (and shown) too. */
async function unfold(page: Page): Promise<void> {
  await page.evaluate(
    `document.querySelectorAll('details').forEach((d) => { d.open = true; })`,
  );
}

describe('approval page layout', () => {
  for (const size of WIDTHS) {
    it(`should read as a decision at ${size.width} px: question and recommendation first, nothing overflowing or broken`, async () => {
      const { link } = await openGate();
      const { page, problems } = await openPage(size);
      expect((await page.goto(link))?.status()).toBe(200);
      expect(await page.locator('h1').textContent()).toBe(
        `Move ${APP} to Amazon MSK now?`,
      );
      // The question and the recommendation are on the first screen.
      const recommendation = page.locator('.recommend');
      expect(await recommendation.textContent()).toContain(
        'Postpone: not ready (Caught up (records not yet copied) failing).',
      );
      const box = await recommendation.boundingBox();
      expect((box?.y ?? 1e9) + (box?.height ?? 0)).toBeLessThanOrEqual(
        size.height,
      );
      // Rules with value, threshold, unit and verdict; the trend; parity
      // as its consequence; the settings as blocks to copy.
      const rules = page.locator('table.rules tbody tr');
      expect(await rules.count()).toBe(10);
      const lag = page.locator('table.rules tr.rule-fail');
      expect(await lag.textContent()).toMatch(
        /Caught up \(records not yet copied\).*Trend: falling 3,600\/h: within the threshold in about 50 min.*4,000.*≤ 1,000.*records.*fail/,
      );
      const text = (await page.locator('body').textContent()) ?? '';
      expect(text).toContain(
        'On MSK the group resumes about 750 records earlier: those records are read again (duplicates, no loss). Records it could miss: none.',
      );
      const blocks = await page.locator('pre.props').allTextContents();
      expect(blocks).toHaveLength(2);
      expect(blocks[0]).toMatch(
        /^bootstrap\.servers=b-1\.orders-express\.kafka\.us-east-1\.amazonaws\.com:9098,.*\nsecurity\.protocol=SASL_SSL\nsasl\.mechanism=AWS_MSK_IAM\n/,
      );
      expect(blocks[1]).toMatch(
        /^bootstrap\.servers=kafka-1\.onprem\.example\.com:9096,.*\nsecurity\.protocol=SASL_SSL\nsasl\.mechanism=SCRAM-SHA-512\n/,
      );
      // No internal key is on the visible page.
      expect(text).not.toMatch(/worst\.|passed\.|window\.from|queries/);
      await page.screenshot({
        path: new URL(`approval-${size.width}.png`, OUTPUT).pathname,
        fullPage: true,
      });

      await unfold(page);
      const layout = await layoutOf(page);
      // Against the screen's width: a phone (isMobile) widens its layout
      // viewport (innerWidth) to content wider than the screen.
      expect(layout.innerWidth).toBe(size.width);
      expect(layout.scrollWidth).toBeLessThanOrEqual(size.width);
      expect(layout.values).toBeGreaterThan(20);
      expect(layout.broken).toEqual([]);
      await page.screenshot({
        path: new URL(`approval-${size.width}-unfolded.png`, OUTPUT).pathname,
        fullPage: true,
      });
      // No script, and the CSP reported nothing.
      expect(await page.locator('script').count()).toBe(0);
      expect(problems).toEqual([]);
      expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
      await page.close();
    });
  }
});

describe('overview page', () => {
  for (const size of WIDTHS) {
    it(`should show the migration at ${size.width} px without overflow or broken values`, async () => {
      const { overview } = await openGate();
      const { page, problems } = await openPage(size);
      expect((await page.goto(overview))?.status()).toBe(200);
      expect(await page.locator('h1').textContent()).toBe(
        `Migration ${MIGRATION_ID}`,
      );
      expect(await page.locator('form').count()).toBe(0);
      expect(await page.locator('#live').textContent()).toContain(APP);
      await unfold(page);
      const layout = await layoutOf(page);
      // Against the screen's width: a phone (isMobile) widens its layout
      // viewport (innerWidth) to content wider than the screen.
      expect(layout.innerWidth).toBe(size.width);
      expect(layout.scrollWidth).toBeLessThanOrEqual(size.width);
      expect(layout.values).toBeGreaterThan(5);
      expect(layout.broken).toEqual([]);
      await page.screenshot({
        path: new URL(`overview-${size.width}.png`, OUTPUT).pathname,
        fullPage: true,
      });
      expect(problems).toEqual([]);
      await page.close();
    });
  }

  it('should refresh in place, without reloading the page, under its CSP', async () => {
    const { overview } = await openGate();
    const { page, problems } = await openPage(WIDTHS[0]);
    let navigations = 0;
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations++;
    });
    await page.goto(overview);
    expect(navigations).toBe(1);
    const row = page.locator('#live tr', { hasText: 'orders' }).first();
    expect(await row.textContent()).toContain('on the source');
    // A marker that a reload would wipe.
    await page.evaluate('window.__notReloaded = true');

    await fx.ledger.transitionApp(
      MIGRATION_ID,
      'orders',
      ['ON_SOURCE'],
      'CUTOVER_APPROVED',
    );
    await page.locator('#refresh').click();
    await expect.poll(() => row.textContent()).toContain('moving to MSK');
    await expect
      .poll(() => page.locator('#refresh-state').textContent())
      .toBe('Refreshed');
    expect(await page.evaluate('window.__notReloaded === true')).toBe(true);
    expect(navigations).toBe(1);
    // The script ran (allowed by its hash): no CSP violation, no error.
    expect(problems).toEqual([]);
    await page.screenshot({
      path: new URL('overview-refreshed.png', OUTPUT).pathname,
      fullPage: true,
    });
    await page.close();
  });
});
