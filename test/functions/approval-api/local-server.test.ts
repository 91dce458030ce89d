import { request } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type LocalApprovalApi,
  serveApprovalApi,
} from '../../../functions/approval-api/local-server.ts';

let server: LocalApprovalApi | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('serveApprovalApi', () => {
  it('should answer a POST whose handling closes the server (a decision that ends the rehearsal)', async () => {
    let closing: Promise<void> | undefined;
    const local = await serveApprovalApi(async () => {
      // The decision ends the workflow, and the rehearsal closes the
      // server while this request is still being answered.
      closing = local.close();
      await new Promise((r) => setTimeout(r, 50));
      return { statusCode: 200, body: 'decided' };
    });
    const res = await fetch(`${local.baseUrl}approvals/x?sig=1.y`, {
      method: 'POST',
      body: 'decision=keep-replicators',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('decided');
    await closing;
  });

  it('should turn a request into an HTTP API 2.0 event and send the result back', async () => {
    const seen: APIGatewayProxyEventV2[] = [];
    server = await serveApprovalApi(async (event) => {
      seen.push(event);
      return {
        statusCode: 201,
        headers: { 'x-test': 'yes', 'content-type': 'text/plain' },
        body: 'done',
      };
    });
    expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(
      `${server.baseUrl}approvals/abc%2Ddef?sig=1.x&sig=2.y`,
      {
        method: 'POST',
        headers: {
          'user-agent': 'ua/1',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'a=1&b=2',
      },
    );
    expect(res.status).toBe(201);
    expect(res.headers.get('x-test')).toBe('yes');
    expect(await res.text()).toBe('done');
    const event = seen[0];
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /approvals/{approvalId}',
      rawPath: '/approvals/abc%2Ddef',
      rawQueryString: 'sig=1.x&sig=2.y',
      pathParameters: { approvalId: 'abc-def' },
      // API Gateway joins repeated query parameters with commas.
      queryStringParameters: { sig: '1.x,2.y' },
      body: 'a=1&b=2',
      isBase64Encoded: false,
      requestContext: {
        http: {
          method: 'POST',
          path: '/approvals/abc%2Ddef',
          userAgent: 'ua/1',
        },
      },
    });
    expect(event?.headers['content-type']).toBe(
      'application/x-www-form-urlencoded',
    );
    expect(event?.requestContext.http.sourceIp).toMatch(/127\.0\.0\.1/);
  });

  it('should answer 502 without details when the handler throws', async () => {
    server = await serveApprovalApi(async () => {
      throw new Error('secret detail');
    });
    const res = await fetch(`${server.baseUrl}approvals/x`);
    expect(res.status).toBe(502);
    expect(await res.text()).not.toContain('secret detail');
  });

  it('should answer 413, not 502, to a body over 10 MB without calling the handler', async () => {
    let calls = 0;
    server = await serveApprovalApi(async () => {
      calls += 1;
      return { statusCode: 200, body: 'ok' };
    });
    const res = await fetch(`${server.baseUrl}approvals/x?sig=1.y`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a'.repeat(10 * 1024 * 1024 + 1),
    }).catch((err: Error) => err);
    expect(res).toBeInstanceOf(Response);
    expect((res as Response).status).toBe(413);
    expect(calls).toBe(0);
  });

  it('should stop reading a chunked body once it passes 10 MB and answer 413', async () => {
    let calls = 0;
    server = await serveApprovalApi(async () => {
      calls += 1;
      return { statusCode: 200, body: 'ok' };
    });
    const url = new URL(`${server.baseUrl}approvals/x?sig=1.y`);
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    const outcome = await new Promise<{ status?: number; sent: number }>(
      (resolve) => {
        let sent = 0;
        const req = request(
          url,
          { method: 'POST', headers: { 'transfer-encoding': 'chunked' } },
          (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, sent });
            req.destroy();
          },
        );
        req.on('error', () => resolve({ sent }));
        // Keeps sending (up to 64 MB) until the server answers.
        const pump = () => {
          while (sent < 64 * chunk.length) {
            sent += chunk.length;
            if (!req.write(chunk)) {
              req.once('drain', pump);
              return;
            }
          }
          req.end();
        };
        pump();
      },
    );
    expect(outcome.status).toBe(413);
    expect(calls).toBe(0);
  });
});
