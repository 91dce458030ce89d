/**
 * Signed approval links: `/approvals/{approvalId}?sig=<expiry>.<mac>`.
 *
 * The link is the only thing an email carries. It names the approval and
 * proves that this system issued it for that approval until that moment; it
 * decides nothing by itself (GET only renders the page; the POST from the page
 * also needs the page's per-approval form nonce). The expiry is part of the
 * signed text, so changing it breaks the signature.
 *
 * HMAC-SHA256 from node:crypto; the comparison is constant-time.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { MIGRATION_ID_PATTERN } from '../domain/plan.ts';

/** Version tag inside the signed text: a new format never verifies as old. */
const SCHEME = 'msk-cutover-approval-v1';
const MAC_BYTES = 32;
/** Approval ids are opaque, URL-safe and short (see `newApprovalId`). */
export const APPROVAL_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

/** A new approval id: 128 random bits, base64url (22 characters). */
export function newApprovalId(): string {
  return randomBytes(16).toString('base64url');
}

/** A new anti-forgery value for the page's form: 192 random bits. */
export function newFormNonce(): string {
  return randomBytes(24).toString('base64url');
}

/** Constant-time string equality (for the form nonce). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf-8');
  const y = Buffer.from(b, 'utf-8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export type LinkCheck =
  | { ok: true; expiresAt: Date }
  | {
      ok: false;
      /**
       * `malformed`: not a signature of this system's format;
       * `tampered`: well-formed but the MAC does not match (another key,
       * another approval, or a changed expiry); `expired`: genuine but past
       * its expiry.
       */
      reason: 'malformed' | 'tampered' | 'expired';
      /** Set for `expired` (the signature was genuine). */
      expiredAt?: Date;
    };

function mac(key: Buffer, approvalId: string, expiresEpoch: number): Buffer {
  return createHmac('sha256', key)
    .update(`${SCHEME}\n${approvalId}\n${expiresEpoch}`)
    .digest();
}

/**
 * Signs an approval link.
 *
 * @param key the HMAC key (at least 32 bytes, from Secrets Manager)
 * @param approvalId the approval the link opens
 * @param expiresAt the moment the link stops working (whole seconds)
 * @returns the `sig` query value: `<expiry epoch seconds>.<base64url MAC>`
 */
export function signApproval(
  key: Buffer,
  approvalId: string,
  expiresAt: Date,
): string {
  if (!APPROVAL_ID_PATTERN.test(approvalId)) {
    throw new Error(`approval id "${approvalId}" is not a valid approval id`);
  }
  const epoch = Math.floor(expiresAt.getTime() / 1000);
  return `${epoch}.${mac(key, approvalId, epoch).toString('base64url')}`;
}

/**
 * Verifies a `sig` for an approval id at `now`. Tampering is checked before
 * expiry, so an expired answer is only given for a genuine link.
 */
export function verifyApproval(
  key: Buffer,
  approvalId: string,
  sig: string | undefined,
  now: Date,
): LinkCheck {
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(sig ?? '');
  if (!match || !APPROVAL_ID_PATTERN.test(approvalId)) {
    return { ok: false, reason: 'malformed' };
  }
  const epoch = Number(match[1]);
  const given = Buffer.from(match[2] ?? '', 'base64url');
  const expected = mac(key, approvalId, epoch);
  // The decoder ignores the last character's two spare bits, so four
  // spellings decode to the same MAC: only the canonical one is accepted.
  const canonical = given.toString('base64url') === match[2];
  if (
    !canonical ||
    given.length !== MAC_BYTES ||
    !timingSafeEqual(given, expected)
  ) {
    return { ok: false, reason: 'tampered' };
  }
  const expiresAt = new Date(epoch * 1000);
  if (now.getTime() >= expiresAt.getTime()) {
    return { ok: false, reason: 'expired', expiredAt: expiresAt };
  }
  return { ok: true, expiresAt };
}

/**
 * The full link: `${baseUrl}approvals/{approvalId}?sig=…`. `baseUrl` is the
 * API's URL (`APPROVAL_BASE_URL`), with or without a trailing slash.
 */
export function approvalUrl(
  baseUrl: string,
  approvalId: string,
  sig: string,
): string {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const url = new URL(`approvals/${encodeURIComponent(approvalId)}`, base);
  url.searchParams.set('sig', sig);
  return url.toString();
}

// ------------------------------------------------------------ overview links

/**
 * The overview link's own scope: its MAC is over another scheme tag, so an
 * overview signature never verifies as an approval's (it could never
 * decide) and an approval's never opens an overview.
 */
const OVERVIEW_SCHEME = 'msk-cutover-overview-v1';
/** Migration ids as the plan allows them. */
const OVERVIEW_ID_PATTERN = MIGRATION_ID_PATTERN;

/**
 * How long an overview link works: a migration is one Step Functions
 * execution, at most one year long ("Maximum execution time: 1 year",
 * Step Functions service quotas,
 * https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html),
 * plus a month to read how it ended.
 */
export const OVERVIEW_LINK_DAYS = 366 + 31;

function overviewMac(
  key: Buffer,
  migrationId: string,
  expiresEpoch: number,
): Buffer {
  return createHmac('sha256', key)
    .update(`${OVERVIEW_SCHEME}\n${migrationId}\n${expiresEpoch}`)
    .digest();
}

/** When an overview link of a migration started at `startedAt` stops working. */
export function overviewExpiry(startedAt: Date): Date {
  return new Date(startedAt.getTime() + OVERVIEW_LINK_DAYS * 86_400_000);
}

/** Signs a read-only overview link of a migration. */
export function signOverview(
  key: Buffer,
  migrationId: string,
  expiresAt: Date,
): string {
  if (!OVERVIEW_ID_PATTERN.test(migrationId)) {
    throw new Error(
      `migration id "${migrationId}" is not a valid migration id`,
    );
  }
  const epoch = Math.floor(expiresAt.getTime() / 1000);
  return `${epoch}.${overviewMac(key, migrationId, epoch).toString('base64url')}`;
}

/** Verifies an overview `sig` as {@link verifyApproval} does an approval's. */
export function verifyOverview(
  key: Buffer,
  migrationId: string,
  sig: string | undefined,
  now: Date,
): LinkCheck {
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(sig ?? '');
  if (!match || !OVERVIEW_ID_PATTERN.test(migrationId)) {
    return { ok: false, reason: 'malformed' };
  }
  const epoch = Number(match[1]);
  const given = Buffer.from(match[2] ?? '', 'base64url');
  const canonical = given.toString('base64url') === match[2];
  if (
    !canonical ||
    given.length !== MAC_BYTES ||
    !timingSafeEqual(given, overviewMac(key, migrationId, epoch))
  ) {
    return { ok: false, reason: 'tampered' };
  }
  const expiresAt = new Date(epoch * 1000);
  if (now.getTime() >= expiresAt.getTime()) {
    return { ok: false, reason: 'expired', expiredAt: expiresAt };
  }
  return { ok: true, expiresAt };
}

/** The full overview link: `${baseUrl}overview/{migrationId}?sig=…`. */
export function overviewUrl(
  baseUrl: string,
  migrationId: string,
  sig: string,
): string {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const url = new URL(`overview/${encodeURIComponent(migrationId)}`, base);
  url.searchParams.set('sig', sig);
  return url.toString();
}
