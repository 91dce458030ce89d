import { describe, expect, it } from 'vitest';
import {
  approvalUrl,
  newApprovalId,
  newFormNonce,
  overviewExpiry,
  overviewUrl,
  sameSecret,
  signApproval,
  signOverview,
  verifyApproval,
  verifyOverview,
} from '../../../../functions/shared/approvals/link.ts';

const key = Buffer.alloc(32, 7);
const otherKey = Buffer.alloc(32, 8);
const id = 'AbCdEfGhIjKlMnOpQrStUv';
const expires = new Date('2026-11-25T12:00:00Z');
const before = new Date('2026-11-25T11:59:59Z');

describe('approval links', () => {
  it('should verify a link it signed, before its expiry', () => {
    const sig = signApproval(key, id, expires);
    expect(verifyApproval(key, id, sig, before)).toEqual({
      ok: true,
      expiresAt: expires,
    });
  });

  it('should refuse a genuine link at and after its expiry', () => {
    const sig = signApproval(key, id, expires);
    expect(verifyApproval(key, id, sig, expires)).toEqual({
      ok: false,
      reason: 'expired',
      expiredAt: expires,
    });
  });

  it('should refuse a link whose expiry was pushed forward', () => {
    const sig = signApproval(key, id, expires);
    const [, mac] = sig.split('.');
    const later = Math.floor(expires.getTime() / 1000) + 86_400;
    expect(verifyApproval(key, id, `${later}.${mac}`, before)).toMatchObject({
      ok: false,
      reason: 'tampered',
    });
  });

  it('should refuse a signature made for another approval or key', () => {
    const sig = signApproval(key, id, expires);
    expect(
      verifyApproval(key, 'ZZCdEfGhIjKlMnOpQrStUv', sig, before),
    ).toMatchObject({ ok: false, reason: 'tampered' });
    const forged = signApproval(otherKey, id, expires);
    expect(verifyApproval(key, id, forged, before)).toMatchObject({
      ok: false,
      reason: 'tampered',
    });
  });

  it('should check tampering before expiry (no oracle on forged links)', () => {
    const forged = signApproval(otherKey, id, expires);
    expect(
      verifyApproval(key, id, forged, new Date('2030-01-01')),
    ).toMatchObject({ reason: 'tampered' });
  });

  it('should refuse a flipped MAC character', () => {
    const sig = signApproval(key, id, expires);
    const last = sig.at(-2) === 'A' ? 'B' : 'A';
    const flipped = `${sig.slice(0, -2)}${last}${sig.at(-1)}`;
    expect(verifyApproval(key, id, flipped, before)).toMatchObject({
      ok: false,
    });
  });

  it('should refuse another spelling of the same MAC (the last character)', () => {
    const sig = signApproval(key, id, expires);
    // Base64url's last character of a 32-byte MAC carries two spare bits:
    // the spellings that differ only there decode to the same bytes.
    const alphabet =
      'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig.at(-1) ?? '');
    const twins = [0, 1, 2, 3]
      .map((spare) => alphabet[(last & ~3) | spare])
      .filter((c) => c !== sig.at(-1))
      .map((c) => `${sig.slice(0, -1)}${c}`);
    expect(twins).toHaveLength(3);
    for (const twin of twins) {
      expect(Buffer.from(twin.split('.')[1] ?? '', 'base64url')).toEqual(
        Buffer.from(sig.split('.')[1] ?? '', 'base64url'),
      );
      expect(verifyApproval(key, id, twin, before)).toMatchObject({
        ok: false,
        reason: 'tampered',
      });
    }
  });

  it.each([
    undefined,
    '',
    'garbage',
    '123.',
    '.abc',
    '123.short',
    `123.${'A'.repeat(44)}`,
    `abc.${'A'.repeat(43)}`,
  ])('should call %j malformed', (sig) => {
    expect(verifyApproval(key, id, sig, before)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('should refuse an approval id outside the id alphabet', () => {
    expect(() => signApproval(key, '../etc', expires)).toThrow(
      /not a valid approval id/,
    );
    const sig = signApproval(key, id, expires);
    expect(verifyApproval(key, '<script>', sig, before)).toMatchObject({
      reason: 'malformed',
    });
  });

  it('should build the link with the signature URL-encoded', () => {
    const sig = signApproval(key, id, expires);
    const url = approvalUrl('https://abc.execute-api.test', id, sig);
    expect(url).toBe(`https://abc.execute-api.test/approvals/${id}?sig=${sig}`);
    expect(approvalUrl('https://h/prod/', id, sig)).toBe(
      `https://h/prod/approvals/${id}?sig=${sig}`,
    );
    expect(new URL(url).searchParams.get('sig')).toBe(sig);
  });

  it('should make unguessable ids and nonces, and compare them exactly', () => {
    const ids = new Set(Array.from({ length: 100 }, newApprovalId));
    expect(ids.size).toBe(100);
    const nonce = newFormNonce();
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(sameSecret(nonce, nonce)).toBe(true);
    expect(sameSecret(nonce, `${nonce}x`)).toBe(false);
    expect(sameSecret(nonce, newFormNonce())).toBe(false);
  });
});

describe('overview links', () => {
  // Valid both as a migration id and as an approval id: only the scope
  // tells the two signatures apart.
  const both = 'orders-platform-2026';

  it('should verify an overview link it signed, until its expiry', () => {
    const sig = signOverview(key, both, expires);
    expect(verifyOverview(key, both, sig, before)).toEqual({
      ok: true,
      expiresAt: expires,
    });
    expect(verifyOverview(key, both, sig, expires)).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    expect(verifyOverview(otherKey, both, sig, before)).toMatchObject({
      ok: false,
      reason: 'tampered',
    });
    expect(verifyOverview(key, 'payments', sig, before)).toMatchObject({
      ok: false,
      reason: 'tampered',
    });
  });

  it('should keep the scopes apart: an overview link never decides, an approval link is no overview', () => {
    const overview = signOverview(key, both, expires);
    const approval = signApproval(key, both, expires);
    expect(verifyApproval(key, both, overview, before)).toMatchObject({
      ok: false,
      reason: 'tampered',
    });
    expect(verifyOverview(key, both, approval, before)).toMatchObject({
      ok: false,
      reason: 'tampered',
    });
  });

  it('should last for the migration: a year of execution and a month more', () => {
    const started = new Date('2026-01-01T00:00:00Z');
    expect(overviewExpiry(started).toISOString()).toBe(
      '2027-02-02T00:00:00.000Z',
    );
    expect(
      overviewUrl('https://x.example/', both, signOverview(key, both, expires)),
    ).toMatch(
      /^https:\/\/x\.example\/overview\/orders-platform-2026\?sig=\d+\./,
    );
    expect(() => signOverview(key, 'Not/A/Migration', expires)).toThrow(
      /not a valid migration id/,
    );
  });
});
