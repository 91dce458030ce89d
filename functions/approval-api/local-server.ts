/**
 * Serves an approval-api handler on a local HTTP server, turning each Node
 * request into the HTTP API (payload 2.0) event API Gateway would send. The
 * browser test and the rehearsal's interactive mode use it; it binds to the
 * loopback interface only.
 */
import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { lambdaContext } from '../shared/lambda-context.ts';

export type ApprovalApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface LocalApprovalApi {
  /** `http://127.0.0.1:<port>/` — the APPROVAL_BASE_URL of local links. */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * API Gateway's payload limit ("Payload size: 10 MB", Quotas for
 * configuring and running an HTTP API, API Gateway developer guide);
 * larger bodies are refused with 413 the same way.
 */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** The body is larger than API Gateway accepts. */
class BodyTooLargeError extends Error {
  constructor() {
    super('request body too large');
    this.name = 'BodyTooLargeError';
  }
}

/**
 * Reads the body, at most MAX_BODY_BYTES: a declared Content-Length over
 * the limit is refused before reading anything, a chunked body as soon as
 * it passes the limit (what was kept is dropped, nothing more is kept).
 */
function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
    return Promise.reject(new BodyTooLargeError());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        chunks.length = 0;
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf-8')));
    req.once('error', reject);
  });
}

/** The payload-2.0 event for one Node request. */
export function toHttpApiEvent(
  req: IncomingMessage,
  body: string,
  requestId: string,
): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  }
  const method = (req.method ?? 'GET').toUpperCase();
  const match = /^\/approvals\/([^/]+)$/.exec(url.pathname);
  const overview = /^\/overview\/([^/]+)$/.exec(url.pathname);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: match
      ? `${method} /approvals/{approvalId}`
      : overview
        ? `${method} /overview/{migrationId}`
        : '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(match?.[1]
      ? { pathParameters: { approvalId: decodeURIComponent(match[1]) } }
      : {}),
    ...(overview?.[1]
      ? { pathParameters: { migrationId: decodeURIComponent(overview[1]) } }
      : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body ? { body } : {}),
    isBase64Encoded: false,
  };
}

/**
 * Serves `handler` on 127.0.0.1.
 *
 * @param port 0 picks a free port
 */
export async function serveApprovalApi(
  handler: ApprovalApiHandler,
  port = 0,
): Promise<LocalApprovalApi> {
  let n = 0;
  // Requests still being answered: closing waits for them, so a decision
  // that ends the workflow (and with it the rehearsal) still gets its page.
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const requestId = `local-${++n}`;
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
      if (inFlight === 0) drained?.();
    });
    readBody(req)
      .then((body) =>
        handler(
          toHttpApiEvent(req, body, requestId),
          lambdaContext('approval-api-local', {
            awsRequestId: requestId,
            memoryLimitInMB: '256',
            callbackWaitsForEmptyEventLoop: false,
          }),
        ),
      )
      .then((out) => {
        res.writeHead(out.statusCode ?? 200, out.headers as never);
        res.end(out.body ?? '');
      })
      .catch((err: unknown) => {
        if (err instanceof BodyTooLargeError) {
          // API Gateway's answer to a payload over its quota, sent at once.
          // The rest of the body is discarded as it arrives, never kept:
          // closing the socket mid-upload would make clients report a
          // broken pipe instead of this answer.
          res.writeHead(413, { 'content-type': 'text/plain' });
          res.end('Request Entity Too Large');
          req.resume();
          return;
        }
        // Lambda's own answer to a crashed function, without its details.
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('Internal Server Error');
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${bound}/`,
    close: async () => {
      const closed = new Promise<void>((resolve) =>
        server.close(() => resolve()),
      );
      server.closeIdleConnections();
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          drained = resolve;
        });
      }
      server.closeAllConnections();
      await closed;
    },
  };
}
