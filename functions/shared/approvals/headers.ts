/**
 * The HTTP headers of every approval-api response: the content security
 * policy (no script, the one stylesheet by its hash) and no caching,
 * framing or Referer.
 */
import { createHash } from 'node:crypto';
import { OVERVIEW_SCRIPT } from './overview-script.ts';
import { STYLE } from './style.ts';

/** The CSP source for the one inline stylesheet. */
export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/**
 * Headers of every approval-api response. No script runs; the only inline
 * style is allowed by its hash; forms may post only back to this origin;
 * the page cannot be framed, cached, or leak its URL (which carries the
 * signature) in a Referer.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': [
    "default-src 'none'",
    `style-src ${STYLE_HASH}`,
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; '),
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'x-robots-tag': 'noindex, nofollow',
};

/** The CSP source for the overview page's one script. */
export const OVERVIEW_SCRIPT_HASH = `'sha256-${createHash('sha256').update(OVERVIEW_SCRIPT).digest('base64')}'`;

/**
 * Headers of the overview page and its JSON form: those of every page,
 * with its one script allowed by hash and fetching only from this origin;
 * no form may post anywhere (the overview decides nothing).
 */
export const OVERVIEW_HEADERS: Readonly<Record<string, string>> = {
  ...SECURITY_HEADERS,
  'content-security-policy': [
    "default-src 'none'",
    `style-src ${STYLE_HASH}`,
    `script-src ${OVERVIEW_SCRIPT_HASH}`,
    "connect-src 'self'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; '),
};
