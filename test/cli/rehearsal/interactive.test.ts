/**
 * Interactive mode: the real approval page served on localhost, a person
 * (here: a script using HTTP, as a browser would) reading each email,
 * opening its link and posting the form. Virtual time stands still while a
 * gate waits for that person.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { stopLocalLedger } from '../../../cli/rehearsal/local-aws.ts';
import { linkIn, rehearse } from '../../../cli/rehearsal/rehearse.ts';
import { loadScenario } from '../../../cli/rehearsal/scenario.ts';
import type { SentEmail } from '../../../cli/rehearsal/sim-aws.ts';

const plan: unknown = JSON.parse(
  readFileSync('events/start-migration.json', 'utf8'),
);

/** What the person answers, from the email's subject. */
function decisionFor(subject: string): string | null {
  if (/approve cutover/.test(subject)) return 'cutover';
  if (/keep or roll back/.test(subject)) return 'keep';
  if (/approve teardown/.test(subject)) return 'teardown';
  return null;
}

describe('interactive rehearsal', { timeout: 120_000 }, () => {
  afterAll(async () => {
    await stopLocalLedger();
  });

  it('should wait for decisions made on the real page over HTTP', async () => {
    const clicks: Promise<void>[] = [];
    const statuses: number[] = [];
    const person = (email: SentEmail) => {
      const link = linkIn(email.body);
      const decision = decisionFor(email.subject);
      if (!link || !decision) return;
      expect(link.startsWith('http://127.0.0.1:')).toBe(true);
      clicks.push(
        (async () => {
          // A person takes a moment; the virtual clock must not move meanwhile.
          await new Promise((r) => setTimeout(r, 20));
          const page = await fetch(link);
          const html = await page.text();
          const nonce = /name="nonce" value="([^"]+)"/.exec(html)?.[1] ?? '';
          const posted = await fetch(link, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({
              nonce,
              decision,
              approver: 'Dana Example',
            }).toString(),
          });
          statuses.push(posted.status);
        })(),
      );
    };
    const r = await rehearse({
      plan,
      scenario: loadScenario('happy-path'),
      mode: 'interactive',
      onEmail: person,
    });
    await Promise.all(clicks);
    expect(r.mismatches).toEqual([]);
    expect(statuses).toEqual(r.gates.map(() => 200));
    expect(r.gates.map((g) => g.decision)).toEqual([
      'cutover',
      'keep',
      'cutover',
      'keep',
      'cutover',
      'keep',
      'teardown',
    ]);
    // Each decision came right when the gate opened: no virtual time passed.
    for (const g of r.gates) expect(g.at).toBe(g.openedAt);
  });

  it('should answer every POST, "keep the replicators" included, and ask again as the page says', async () => {
    const clicks: Promise<void>[] = [];
    const statuses: number[] = [];
    const person = (email: SentEmail) => {
      const link = linkIn(email.body);
      const decision = decisionFor(email.subject);
      if (!link || !decision) return;
      clicks.push(
        (async () => {
          const page = await fetch(link);
          const html = await page.text();
          const nonce = /name="nonce" value="([^"]+)"/.exec(html)?.[1] ?? '';
          const posted = await fetch(link, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({
              nonce,
              decision: decision === 'teardown' ? 'keep-replicators' : decision,
              approver: 'Dana Example',
            }).toString(),
          });
          statuses.push(posted.status);
          await posted.text();
        })(),
      );
    };
    const r = await rehearse({
      plan,
      scenario: loadScenario('teardown-kept'),
      mode: 'interactive',
      onEmail: person,
    });
    await Promise.all(clicks);
    expect(r.mismatches).toEqual([]);
    const teardown = r.gates.filter((g) => g.kind === 'teardown');
    expect(teardown.map((g) => g.decision)).toEqual(
      Array(7).fill('keep-replicators'),
    );
    // The last "keep" ends the workflow and the rehearsal: it still got its page.
    expect(statuses).toEqual(r.gates.map(() => 200));
  });
});
