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
});
