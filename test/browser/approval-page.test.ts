/**
 * The approval page in a real headless Chromium (Debian's /usr/bin/chromium,
 * driven by playwright-core; no browser is downloaded), against the real
 * approval-api handler on localhost, the ledger on dynalite, and Step
 * Functions mocked at the SDK boundary.
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

let fx: GateFixture;
let api: LocalApprovalApi;
let browser: Browser;
let requestApproval: ReturnType<typeof createRequestHandler>;

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
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  await fx?.stop();
});

async function openGate(): Promise<{ approvalId: string; link: string }> {
  const { approvalId } = await requestApproval(
    {
      migrationId: MIGRATION_ID,
      planRef: PLAN_REF,
      kind: 'cutover',
      app: 'order-status',
      taskToken: newTaskToken(),
      executionId: EXECUTION_ID,
    },
    context,
  );
  const emailed = new URL(fx.lastLink());
  return {
    approvalId,
    link: new URL(
      `${emailed.pathname.slice(1)}${emailed.search}`,
      api.baseUrl,
    ).toString(),
  };
}

/** A phone-sized page that records console errors (CSP violations too). */
async function phonePage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({
    viewport: { width: 390, height: 844 },
    isMobile: true,
  });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  return { page, problems };
}

describe('approval page in Chromium', () => {
  it('should show the evidence, decide on confirm only, and say "already decided" on reload', async () => {
    const { approvalId, link } = await openGate();

    // A mail scanner prefetches the link: a plain GET decides nothing.
    const prefetch = await fetch(link);
    expect(prefetch.status).toBe(200);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);

    const { page, problems } = await phonePage();
    const opened = await page.goto(link);
    expect(opened?.status()).toBe(200);
    await expect
      .poll(() => page.locator('h1').textContent())
      .toBe('Move order-status to Amazon MSK now?');
    const text = (await page.locator('body').textContent()) ?? '';
    // The rules by their plain names (was: the recorded key names).
    expect(text).toContain('Copy delay');
    expect(text).toContain('1,250');
    expect(text).toContain('Lag per consumer group and topic');
    expect(text).toContain('topic orders');
    expect(await page.locator('button[name="decision"]').count()).toBe(4);
    // Readable on a phone: nothing wider than the screen, the stylesheet
    // applied (the CSP allows it by hash and reports nothing).
    // Evaluated in the page (strings: this project has no DOM types).
    const widths = await page.evaluate<{ scroll: number; client: number }>(
      '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
    );
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
    const buttonFlex = await page.evaluate<string>(
      'getComputedStyle(document.querySelector(\'button[value="cutover"]\')).flexGrow',
    );
    expect(buttonFlex).toBe('1');
    await page.screenshot({
      path: new URL('approval-page.png', OUTPUT).pathname,
      fullPage: true,
    });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);

    // Without a name the browser itself refuses to submit.
    await page.locator('button[value="cutover"]').click();
    expect(await page.locator('h1').textContent()).toBe(
      'Move order-status to Amazon MSK now?',
    );
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);

    await page.locator('#approver').fill('Ada Operator');
    await page.locator('#comment').fill('Lag flat for 15 minutes.');
    await Promise.all([
      page.waitForURL(link),
      page.locator('button[value="cutover"]').click(),
    ]);
    await expect
      .poll(() => page.locator('h1').textContent())
      .toBe('Decision recorded');
    expect(await page.locator('body').textContent()).toContain('Ada Operator');
    await page.screenshot({
      path: new URL('approval-decided.png', OUTPUT).pathname,
      fullPage: true,
    });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    expect(fx.successCalls()[0]?.output).toEqual({
      decision: 'cutover',
      approver: 'Ada Operator',
      comment: 'Lag flat for 15 minutes.',
      approvalId,
    });

    await page.reload();
    await expect
      .poll(() => page.locator('h1').textContent())
      .toBe('Already decided');
    await page.goto(link);
    expect(await page.locator('h1').textContent()).toBe('Already decided');
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    // 409 answers are expected; any CSP violation or script error is not.
    expect(
      problems.filter((p) => !p.startsWith('Failed to load resource')),
    ).toEqual([]);
    await page.close();
  });

  it('should refuse a tampered signature', async () => {
    const { approvalId, link } = await openGate();
    const url = new URL(link);
    const sig = url.searchParams.get('sig') ?? '';
    url.searchParams.set(
      'sig',
      `${sig.slice(0, -4)}${sig.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`,
    );
    const { page } = await phonePage();
    const res = await page.goto(url.toString());
    expect(res?.status()).toBe(403);
    expect(await page.locator('h1').textContent()).toBe(
      'This link is not valid',
    );
    expect(await page.locator('form').count()).toBe(0);
    expect((await fx.ledger.getApproval(approvalId))?.status).toBe('OPEN');
    await page.close();
  });
});
