/**
 * The operator: the person the scenario scripts. With `--auto-approve` it
 * opens each gate's emailed link on the real approval-api handler, reads
 * the form's nonce and posts the scripted decision (and the scripted
 * attacks: a forged link, a replayed form); in interactive mode it holds
 * virtual time while a person decides in a browser.
 */
import { randomBytes } from 'node:crypto';
import { ACCOUNT } from './account.ts';
import type { GateRecord, GateTracker } from './gates.ts';
import { type Handler, phaseContext } from './handlers.ts';
import type { DecisionRule, DecisionScript } from './scenario.ts';
import type { Timeline } from './timeline.ts';
import type { VirtualClock } from './virtual-clock.ts';

/** The rehearsal's operator, as recorded with each decision. */
export const REHEARSAL_APPROVER = 'rehearsal operator';

export interface OperatorOptions {
  mode: 'auto' | 'interactive';
  clock: VirtualClock;
  gates: GateTracker;
  timeline: Timeline;
  script: DecisionScript;
  scenarioName: string;
  /** The approval-api handler the pages are requested from. */
  page: Handler;
}

export class Operator {
  /** Auto mode: the decisions under way. */
  readonly #pending: Promise<void>[] = [];
  /** Interactive mode: token → the release of the hold on virtual time. */
  readonly #holds = new Map<string, () => void>();
  /** Whether the overview link (in every email) was opened yet. */
  #overviewOpened = false;

  constructor(private readonly o: OperatorOptions) {}

  /** A gate waits for a decision. */
  gateOpened(token: string): void {
    if (this.o.mode === 'interactive') {
      this.#holds.set(token, this.o.clock.hold());
    } else {
      this.#pending.push(this.#approve(token));
    }
  }

  /** A gate stopped waiting: virtual time runs on. */
  gateClosed(token: string | undefined): void {
    if (!token) return;
    this.#holds.get(token)?.();
    this.#holds.delete(token);
  }

  /** Every decision under way has been posted (or failed). */
  async settled(): Promise<void> {
    await Promise.allSettled(this.#pending);
  }

  /** Releases every hold left (the rehearsal is over). */
  releaseAll(): void {
    for (const release of this.#holds.values()) release();
  }

  async #approve(token: string): Promise<void> {
    const { clock, gates, script } = this.o;
    const record = gates.record(token);
    if (!record) return;
    const rule = script.next(record.kind, record.app, record.wave);
    if (rule.decide === 'none') return;
    await clock.sleep(rule.afterMinutes * 60);
    await clock.run(async () => {
      const link = record.email ? linkIn(record.email.body) : null;
      if (!link) {
        this.#note(`no approval link in the email for ${record.kind}`);
        return;
      }
      if (!this.#overviewOpened && record.email) {
        this.#overviewOpened = true;
        await this.#openOverview(record.email.body);
      }
      await this.#decide(record, rule, link);
    });
  }

  /**
   * Opens the migration's overview link once, as an approver glancing at
   * the whole migration would: the read-only page must answer 200.
   */
  async #openOverview(body: string): Promise<void> {
    const link = overviewLinkIn(body);
    if (!link) {
      this.#note('no overview link in the email');
      return;
    }
    const res = await callPage(this.o.page, 'GET', link);
    this.#note(`overview page: ${res.status} ${res.title}`);
  }

  /** Opens the page, then posts the form (and the scripted attacks). */
  async #decide(
    record: GateRecord,
    rule: DecisionRule,
    link: string,
  ): Promise<void> {
    const { page: handler } = this.o;
    const page = await callPage(handler, 'GET', link);
    const nonce = /name="nonce" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const fields = new URLSearchParams({
      nonce,
      decision: rule.decide,
      approver: REHEARSAL_APPROVER,
      comment: `scenario ${this.o.scenarioName}`,
    });
    // A wave gate's subset: one repeated field per application.
    const field = record.kind === 'wave-cutover' ? 'skip' : 'rollback';
    for (const app of rule.subset ?? []) fields.append(field, app);
    const form = fields.toString();
    if (rule.attack === 'tamper') {
      const forged = forgeSignature(link);
      const res = await callPage(handler, 'POST', forged, form);
      record.attempts.push({
        kind: 'tampered',
        status: res.status,
        title: res.title,
      });
      this.#note(`forged link posted: ${res.status} ${res.title}`);
    }
    const res = await callPage(handler, 'POST', link, form);
    if (res.status !== 200) {
      record.attempts.push({
        kind: 'decision',
        status: res.status,
        title: res.title,
      });
      this.#note(`decision refused: ${res.status} ${res.title}`);
    }
    if (rule.attack === 'replay') {
      const again = await callPage(handler, 'POST', link, form);
      record.attempts.push({
        kind: 'replayed',
        status: again.status,
        title: again.title,
      });
      this.#note(`same form posted again: ${again.status} ${again.title}`);
    }
  }

  #note(text: string): void {
    this.o.timeline.note('gate', text);
  }
}

/** The approval link in an email body. */
export function linkIn(body: string): string | null {
  return (
    /https?:\/\/\S+\/approvals\/[^\s?]+\?sig=[^\s)>"]+/.exec(body)?.[0] ?? null
  );
}

/** The overview link in an email body. */
export function overviewLinkIn(body: string): string | null {
  return (
    /https?:\/\/\S+\/overview\/[^\s?]+\?sig=[^\s)>"]+/.exec(body)?.[0] ?? null
  );
}

/** The same link with its signature's last character changed. */
function forgeSignature(link: string): string {
  // A character well inside the MAC: the last one carries two spare bits.
  const i = link.length - 10;
  const forged = link.charAt(i) === 'A' ? 'B' : 'A';
  return `${link.slice(0, i)}${forged}${link.slice(i + 1)}`;
}

/** One request to the approval API handler, as API Gateway would send it. */
async function callPage(
  handler: Handler,
  method: 'GET' | 'POST',
  link: string,
  form?: string,
): Promise<{ status: number; body: string; title: string }> {
  const url = new URL(link);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const approvalId = /^\/approvals\/([^/]+)$/.exec(url.pathname)?.[1];
  const migrationId = /^\/overview\/([^/]+)$/.exec(url.pathname)?.[1];
  const headers: Record<string, string> = {
    host: url.host,
    'user-agent': 'msk-cutover-rehearsal',
    ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
  };
  const now = new Date();
  const event = {
    version: '2.0',
    routeKey: migrationId
      ? `${method} /overview/{migrationId}`
      : `${method} /approvals/{approvalId}`,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    queryStringParameters: query,
    ...(approvalId
      ? { pathParameters: { approvalId: decodeURIComponent(approvalId) } }
      : {}),
    ...(migrationId
      ? { pathParameters: { migrationId: decodeURIComponent(migrationId) } }
      : {}),
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'rehearsal',
      domainName: url.host,
      domainPrefix: 'rehearsal',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'msk-cutover-rehearsal',
      },
      requestId: randomBytes(8).toString('hex'),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(form ? { body: form } : {}),
    isBase64Encoded: false,
  };
  const out = (await handler(event as never, phaseContext('approval-api'))) as {
    statusCode?: number;
    body?: string;
  };
  const body = out.body ?? '';
  const title =
    /<title>([^<]*)<\/title>/.exec(body)?.[1] ??
    /<h1[^>]*>([^<]*)<\/h1>/.exec(body)?.[1] ??
    '';
  return { status: out.statusCode ?? 200, body, title };
}
