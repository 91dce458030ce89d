/**
 * Captures every log line of a full gate (request → page → refused POST →
 * decision → replay → tampered link) at DEBUG level and searches them for
 * the secrets that must never be logged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  context,
  EXECUTION_ID,
  type GateFixture,
  MIGRATION_ID,
  newTaskToken,
  PLAN_REF,
  startGateFixture,
  useEnv,
} from './gate-fixture.ts';

let fx: GateFixture;

beforeAll(async () => {
  fx = await startGateFixture();
  useEnv(fx.env);
});
afterAll(() => fx.stop());

describe('logs of a full gate', () => {
  it('should never contain the task token, the signing key or a password', async () => {
    // The logger reads its level once, when its module loads: load the
    // handlers only after asking for every line.
    process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    const { createHandler: createRequest } = await import(
      '../../../functions/request-approval/handler.ts'
    );
    const { createHandler: createApi } = await import(
      '../../../functions/approval-api/handler.ts'
    );
    const { serveApprovalApi } = await import(
      '../../../functions/approval-api/local-server.ts'
    );
    const api = await serveApprovalApi(createApi({ clock: fx.clock }));
    const requestApproval = createRequest({ clock: fx.clock });

    const lines: string[] = [];
    const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
    const saved = methods.map((m) => console[m]);
    const stdout = process.stdout.write;
    const stderr = process.stderr.write;
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    for (const m of methods) {
      console[m] = (...args: unknown[]) => {
        lines.push(args.map(String).join(' '));
      };
    }
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    const taskToken = newTaskToken();
    try {
      await requestApproval(
        {
          migrationId: MIGRATION_ID,
          planRef: PLAN_REF,
          kind: 'cutover',
          app: 'order-status',
          taskToken,
          executionId: EXECUTION_ID,
        },
        context,
      );
      const emailed = new URL(fx.lastLink());
      const link = new URL(
        `${emailed.pathname.slice(1)}${emailed.search}`,
        api.baseUrl,
      ).toString();
      const html = await (await fetch(link)).text();
      const nonce = /name="nonce" value="([^"]+)"/.exec(html)?.[1] ?? '';
      const post = (fields: Record<string, string>) =>
        fetch(link, { method: 'POST', body: new URLSearchParams(fields) });
      await post({ nonce: 'wrong', decision: 'cutover', approver: 'Ada' });
      await post({ nonce, decision: 'cutover', approver: 'Ada' });
      await post({ nonce, decision: 'cutover', approver: 'Ada' });
      const tampered = new URL(link);
      tampered.searchParams.set('sig', '1.tampered');
      await fetch(tampered);
      // A bad event names the field, never the value.
      await requestApproval({ taskToken } as never, context).catch(
        () => undefined,
      );
    } finally {
      methods.forEach((m, i) => {
        console[m] = saved[i] as never;
      });
      process.stdout.write = stdout;
      process.stderr.write = stderr;
      await api.close();
    }
    const text = lines.join('\n');
    // The capture works: the gate's own lines are there.
    expect(text).toContain('approval requested');
    expect(text).toContain('approval form nonce mismatch');
    expect(text).toContain('approval decided');
    expect(text).toContain('approval link refused');
    for (const secret of [
      taskToken,
      taskToken.slice(3, 43),
      fx.signingKey.toString('hex'),
      fx.signingKey.toString('base64'),
      fx.signingKey.toString('base64url'),
      fx.password,
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
