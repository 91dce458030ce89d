/**
 * approval-api: the approval page behind API Gateway (HTTP API).
 *
 * `GET /approvals/{id}?sig=…` only shows the page: the question, the
 * evidence, what to do, and a form. Mail scanners and link previews that
 * fetch the link therefore decide nothing. `POST` from that form decides,
 * once: signature, expiry, the page's form nonce and the approver's name
 * are checked, then the ledger's conditional write, then SendTaskSuccess.
 * Every refusal is a page that says what happened and changes nothing.
 */
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import {
  type DecideDeps,
  decideApproval,
  isAllowedDecision,
  requiresComment,
  waveSubsets,
} from '../shared/approvals/decide.ts';
import type { AnnounceDeps } from '../shared/approvals/gate.ts';
import {
  evidenceOf,
  isWaveGate,
  targetBrokersOf,
  waveGateView,
} from '../shared/approvals/gate.ts';
import {
  OVERVIEW_HEADERS,
  SECURITY_HEADERS,
} from '../shared/approvals/headers.ts';
import { renderGatePage, renderMessagePage } from '../shared/approvals/html.ts';
import {
  overviewExpiry,
  sameSecret,
  signApproval,
  signOverview,
  verifyApproval,
  verifyOverview,
} from '../shared/approvals/link.ts';
import { readOverview } from '../shared/approvals/overview.ts';
import {
  renderOverviewLive,
  renderOverviewPage,
} from '../shared/approvals/overview-html.ts';
import { DECISION_LABELS, gateViewOf } from '../shared/approvals/view.ts';
import { renderWaveGatePage } from '../shared/approvals/wave-html.ts';
import {
  InvalidDecisionError,
  LedgerConflictError,
} from '../shared/domain/errors.ts';
import { loadPlan } from '../shared/load-plan.ts';
import type {
  ApprovalRecord,
  Ledger,
  PlanStore,
  SigningKeys,
} from '../shared/ports.ts';

export interface ApprovalApiDeps extends DecideDeps {
  plans: PlanStore;
  ledger: Ledger;
  keys: SigningKeys;
  inventory: AnnounceDeps['inventory'];
}

type Response = APIGatewayProxyStructuredResultV2;

const MAX_APPROVER = 100;
const MAX_COMMENT = 1000;
/** Far more than the form ever sends; refuses large bodies before parsing. */
const MAX_BODY_BYTES = 16_384;

function page(
  statusCode: number,
  html: string,
  extra: Record<string, string> = {},
): Response {
  return {
    statusCode,
    headers: { ...SECURITY_HEADERS, ...extra },
    body: html,
  };
}

function message(
  statusCode: number,
  title: string,
  text: string,
  tone: 'ok' | 'bad' | 'info',
  details?: [string, string][],
): Response {
  return page(
    statusCode,
    renderMessagePage({
      title,
      message: text,
      tone,
      ...(details ? { details } : {}),
    }),
  );
}

const INVALID_LINK = () =>
  message(
    403,
    'This link is not valid',
    'The link’s signature does not match. Open the link from the latest email exactly as it was sent. Nothing was decided.',
    'bad',
  );

/** The page for an approval that can no longer be decided. */
function closedPage(a: ApprovalRecord, now: Date): Response {
  if (a.status === 'DECIDED') {
    return message(
      409,
      'Already decided',
      'This gate was already decided; a link decides once. Nothing was changed.',
      'info',
      [
        ['Decision', a.decision ? DECISION_LABELS[a.decision].label : ''],
        ['By', a.approver ?? ''],
        ['At', a.decidedAt ?? ''],
      ],
    );
  }
  if (a.status === 'SUPERSEDED') {
    return message(
      410,
      'This link was replaced',
      'A newer request for the same gate was sent. Use the link in the latest email. Nothing was decided.',
      'bad',
    );
  }
  if (a.status === 'EXPIRED' || a.expiresAt <= now.toISOString()) {
    return message(
      410,
      'This link has expired',
      `The link stopped working at ${a.expiresAt}. A reminder email brings a new one, or decide with \`msk-cutover approve\`. Nothing was decided.`,
      'bad',
    );
  }
  return message(409, 'This gate is not open', `Status: ${a.status}.`, 'bad');
}

/** The approval id from `/…/approvals/{id}` (stage prefixes allowed). */
function approvalIdOf(event: APIGatewayProxyEventV2): string | null {
  const fromRoute = event.pathParameters?.approvalId;
  if (fromRoute) return fromRoute;
  const m = /\/approvals\/([^/]+)$/.exec(event.rawPath ?? '');
  return m?.[1] ? decodeURIComponent(m[1]) : null;
}

/** The migration id from `/…/overview/{id}` (stage prefixes allowed). */
function migrationIdOf(event: APIGatewayProxyEventV2): string | null {
  const fromRoute = event.pathParameters?.migrationId;
  if (fromRoute) return fromRoute;
  const m = /\/overview\/([^/]+)$/.exec(event.rawPath ?? '');
  return m?.[1] ? decodeURIComponent(m[1]) : null;
}

/** Whether a request asks for the JSON form (the overview's refresh). */
function wantsJson(event: APIGatewayProxyEventV2): boolean {
  const accept = (
    event.headers?.accept ??
    event.headers?.Accept ??
    ''
  ).toLowerCase();
  return accept.startsWith('application/json');
}

/**
 * `GET /overview/{migrationId}?sig=…`: the whole migration, read-only.
 * Its link has its own signing scope (an approval's signature does not
 * open it, and it opens no gate); any other method is refused, so it can
 * never decide. With `Accept: application/json` it answers the view model
 * and the page's live part (the refresh script's request).
 */
async function serveOverview(
  event: APIGatewayProxyEventV2,
  migrationId: string,
  deps: ApprovalApiDeps,
): Promise<Response> {
  const method = event.requestContext.http.method.toUpperCase();
  if (method !== 'GET') {
    return {
      ...message(
        405,
        'Method not allowed',
        'The overview only shows the migration; decide on a gate’s own page.',
        'bad',
      ),
      headers: { ...OVERVIEW_HEADERS, allow: 'GET' },
    };
  }
  const now = deps.clock.now();
  const sig = event.queryStringParameters?.sig;
  const key = await deps.keys.current();
  const link = verifyOverview(key, migrationId, sig, now);
  if (!link.ok) {
    deps.log.info('overview link refused', {
      migrationId,
      reason: link.reason,
    });
    if (link.reason === 'expired') {
      return message(
        410,
        'This link has expired',
        `The overview link stopped working at ${link.expiredAt?.toISOString()}. Use \`msk-cutover status\`.`,
        'bad',
      );
    }
    return INVALID_LINK();
  }
  const migration = await deps.ledger.getMigration(migrationId);
  if (!migration) {
    return message(
      404,
      'No such migration',
      'The ledger has no such migration.',
      'bad',
    );
  }
  const plan = await loadPlan(deps.plans, migration.planRef)
    .then((p) => p.plan)
    .catch((err: unknown) => {
      deps.log.warn('overview without the plan', {
        error: (err as Error).name,
      });
      return null;
    });
  const overview = await readOverview(
    { ledger: deps.ledger },
    migrationId,
    plan,
    now,
    (g) =>
      `../approvals/${encodeURIComponent(g.approvalId)}?sig=${encodeURIComponent(
        signApproval(key, g.approvalId, new Date(g.expiresAt)),
      )}`,
  );
  if (!overview) {
    return message(
      404,
      'No such migration',
      'The ledger has no such migration.',
      'bad',
    );
  }
  if (wantsJson(event)) {
    return {
      statusCode: 200,
      headers: {
        ...OVERVIEW_HEADERS,
        'content-type': 'application/json; charset=utf-8',
      },
      body: JSON.stringify({ overview, html: renderOverviewLive(overview) }),
    };
  }
  return {
    statusCode: 200,
    headers: { ...OVERVIEW_HEADERS },
    body: renderOverviewPage(overview),
  };
}

/**
 * The decision form of a POST, or why it is not one: 413 for a body over
 * MAX_BODY_BYTES (whatever its type, checked before decoding), 415 for
 * anything but a URL-encoded form.
 */
function formOf(
  event: APIGatewayProxyEventV2,
): { form: URLSearchParams } | { refused: 413 | 415 } {
  const raw = event.body ?? '';
  const size = event.isBase64Encoded
    ? Buffer.byteLength(raw, 'base64')
    : Buffer.byteLength(raw);
  if (size > MAX_BODY_BYTES) return { refused: 413 };
  const type = (
    event.headers?.['content-type'] ??
    event.headers?.['Content-Type'] ??
    ''
  ).toLowerCase();
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    return { refused: 415 };
  }
  const text = event.isBase64Encoded
    ? Buffer.from(raw, 'base64').toString('utf-8')
    : raw;
  return { form: new URLSearchParams(text) };
}

/** One line of plain text, control characters removed, trimmed, capped. */
function clean(value: string | null, max: number): string {
  return (value ?? '')
    .replace(/\p{Cc}+/gu, ' ')
    .trim()
    .slice(0, max);
}

/**
 * Serves one request of the approval API.
 *
 * @returns an HTML page with the security headers, whatever happens
 */
export async function runApprovalApi(
  event: APIGatewayProxyEventV2,
  deps: ApprovalApiDeps,
): Promise<Response> {
  try {
    return await serve(event, deps);
  } catch (err) {
    deps.log.error('approval request failed', {
      error: (err as Error).name,
      message: (err as Error).message,
    });
    return message(
      500,
      'Something went wrong',
      'The request could not be completed. If you were deciding, open the link again to see whether the decision was recorded.',
      'bad',
    );
  }
}

async function serve(
  event: APIGatewayProxyEventV2,
  deps: ApprovalApiDeps,
): Promise<Response> {
  const method = event.requestContext.http.method.toUpperCase();
  const overviewOf = migrationIdOf(event);
  if (overviewOf !== null) return serveOverview(event, overviewOf, deps);
  if (method !== 'GET' && method !== 'POST') {
    return page(
      405,
      renderMessagePage({
        title: 'Method not allowed',
        message: 'Open the link from the email.',
        tone: 'bad',
      }),
      { allow: 'GET, POST' },
    );
  }
  const approvalId = approvalIdOf(event);
  const sig = event.queryStringParameters?.sig;
  const now = deps.clock.now();
  const key = await deps.keys.current();
  const link = verifyApproval(key, approvalId ?? '', sig, now);
  if (!link.ok) {
    deps.log.info('approval link refused', {
      approvalId,
      method,
      reason: link.reason,
    });
    if (link.reason === 'expired') {
      return message(
        410,
        'This link has expired',
        `The link stopped working at ${link.expiredAt?.toISOString()}. A reminder email brings a new one, or decide with \`msk-cutover approve\`. Nothing was decided.`,
        'bad',
      );
    }
    return INVALID_LINK();
  }
  // verifyApproval accepted it, so the id is well-formed.
  const id = approvalId as string;
  const approval = await deps.ledger.getApproval(id);
  if (!approval) {
    return message(
      404,
      'No such approval',
      'This approval does not exist (any more). Nothing was decided.',
      'bad',
    );
  }
  if (approval.status !== 'OPEN' || approval.expiresAt <= now.toISOString()) {
    return closedPage(approval, now);
  }
  const action = `${encodeURIComponent(id)}?sig=${encodeURIComponent(sig ?? '')}`;

  if (method === 'GET') {
    return page(200, await renderOpen(approval, deps, { action }));
  }

  const posted = formOf(event);
  if ('refused' in posted) {
    return posted.refused === 413
      ? message(
          413,
          'The form is too large',
          `A decision form is far smaller than ${MAX_BODY_BYTES / 1024} KB. Decide with the buttons on the approval page. Nothing was decided.`,
          'bad',
        )
      : message(
          415,
          'Not a form submission',
          'Decide with the buttons on the approval page.',
          'bad',
        );
  }
  const { form } = posted;
  if (!sameSecret(form.get('nonce') ?? '', approval.formNonce)) {
    deps.log.warn('approval form nonce mismatch', { approvalId: id });
    return message(
      403,
      'This form was not sent by the approval page',
      'Open the link from the email and decide on that page. Nothing was decided.',
      'bad',
    );
  }
  const decision = clean(form.get('decision'), 40);
  const approver = clean(form.get('approver'), MAX_APPROVER);
  const comment = clean(form.get('comment'), MAX_COMMENT);
  const values = { approver, comment };
  if (!isAllowedDecision(approval.kind, decision)) {
    return page(
      400,
      await renderOpen(approval, deps, {
        action,
        ...values,
        error: `"${decision}" is not a decision this gate offers. Nothing was decided.`,
      }),
    );
  }
  if (approver === '') {
    return page(
      400,
      await renderOpen(approval, deps, {
        action,
        ...values,
        error:
          'Enter your name: it is recorded with the decision. Nothing was decided.',
      }),
    );
  }
  if (requiresComment(decision) && comment === '') {
    return page(
      400,
      await renderOpen(approval, deps, {
        action,
        ...values,
        error: `Say why in the comment: "${DECISION_LABELS[decision].label}" overrules the checks, and the reason is recorded with it. Nothing was decided.`,
      }),
    );
  }
  const subsets = waveSubsetsOf(form, approval, decision, comment);
  if ('problem' in subsets) {
    return page(
      400,
      await renderOpen(approval, deps, {
        action,
        ...values,
        error: `${subsets.problem}. Nothing was decided.`,
      }),
    );
  }
  const http = event.requestContext.http;
  try {
    const result = await decideApproval(
      approval,
      {
        decision,
        approver,
        ...(comment ? { comment } : {}),
        ...subsets,
        ...(http.sourceIp ? { sourceIp: http.sourceIp } : {}),
        ...(http.userAgent ? { userAgent: http.userAgent.slice(0, 300) } : {}),
      },
      deps,
    );
    const details: [string, string][] = [
      ['Decision', DECISION_LABELS[decision].label],
      ['By', approver],
      ['At', result.approval.decidedAt ?? now.toISOString()],
    ];
    if (result.outcome === 'gate-closed') {
      return message(
        409,
        'This gate already closed',
        'The workflow stopped waiting for this gate (it timed out or the migration ended). Your decision was recorded but changes nothing.',
        'bad',
        details,
      );
    }
    if (result.outcome === 'undelivered') {
      return message(
        202,
        'Decision recorded, not yet delivered',
        `Your decision was recorded, but the workflow could not be reached (${result.reason}). It is sent again within 15 minutes; nothing more to do here.`,
        'ok',
        details,
      );
    }
    return message(
      200,
      'Decision recorded',
      'Your decision was recorded and sent to the workflow. You can close this page.',
      'ok',
      details,
    );
  } catch (err) {
    if (err instanceof LedgerConflictError) {
      // Decided, superseded or expired between the read and the write.
      const current = await deps.ledger.getApproval(id);
      return current
        ? closedPage(current, now)
        : message(404, 'No such approval', 'Nothing was decided.', 'bad');
    }
    if (err instanceof InvalidDecisionError) {
      return message(400, 'Decision not offered', err.message, 'bad');
    }
    throw err;
  }
}

/** Applications a wave form may name (a wave holds at most 500). */
const MAX_SUBSET = 500;

/**
 * A wave gate's subsets from the form's repeated `skip` / `rollback`
 * fields (each an application name), checked with the gate's applications
 * (`waveSubsets`, which uses `subsetProblems`); or the problem.
 */
function waveSubsetsOf(
  form: URLSearchParams,
  approval: ApprovalRecord,
  decision: string,
  comment: string,
): { skip?: string[]; rollback?: string[] } | { problem: string } {
  const field = (name: string) =>
    form
      .getAll(name)
      .slice(0, MAX_SUBSET + 1)
      .map((v) => clean(v, 64))
      .filter((v) => v !== '');
  const skip = field('skip');
  const rollback = field('rollback');
  if (skip.length > MAX_SUBSET || rollback.length > MAX_SUBSET) {
    return { problem: `A wave holds at most ${MAX_SUBSET} applications` };
  }
  try {
    return waveSubsets(approval, {
      decision,
      ...(comment ? { comment } : {}),
      ...(skip.length > 0 ? { skip } : {}),
      ...(rollback.length > 0 ? { rollback } : {}),
    });
  } catch (err) {
    if (err instanceof InvalidDecisionError) return { problem: err.message };
    throw err;
  }
}

async function renderOpen(
  approval: ApprovalRecord,
  deps: ApprovalApiDeps,
  form: { action: string; approver?: string; comment?: string; error?: string },
): Promise<string> {
  const migration = await deps.ledger.getMigration(approval.migrationId);
  if (!migration) {
    throw new Error(`migration ${approval.migrationId} is not in the ledger`);
  }
  const { plan } = await loadPlan(deps.plans, migration.planRef);
  const [evidence, targetBrokers] = await Promise.all([
    evidenceOf(deps.ledger, approval, plan.readiness),
    targetBrokersOf(deps.inventory, plan.target.mskClusterArn, deps.log),
  ]);
  const key = await deps.keys.current();
  // Relative to `/…/approvals/{id}`, so it works behind any stage prefix.
  const overview = `../overview/${encodeURIComponent(migration.migrationId)}?sig=${encodeURIComponent(
    signOverview(
      key,
      migration.migrationId,
      overviewExpiry(new Date(migration.startedAt)),
    ),
  )}`;
  if (isWaveGate(approval)) {
    return renderWaveGatePage(
      await waveGateView(
        deps.ledger,
        plan,
        { ...approval, wave: approval.wave },
        targetBrokers,
        overview,
      ),
      { ...form, overview, nonce: approval.formNonce },
    );
  }
  return renderGatePage(gateViewOf(plan, approval, evidence, targetBrokers), {
    ...form,
    overview,
    nonce: approval.formNonce,
  });
}
