import { describe, expect, it } from 'vitest';
import {
  approvalUrl,
  newApprovalId,
  newFormNonce,
  sameSecret,
  signApproval,
  verifyApproval,
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
