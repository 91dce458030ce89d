/**
 * A signed AWS JSON 1.1 call, for the two read-only calls preflight makes to
 * services whose SDK v3 clients this project does not depend on:
 * CloudWatch Logs `DescribeLogGroups` and Amazon Data Firehose
 * `DescribeDeliveryStream` (@aws-sdk/client-cloudwatch-logs and
 * @aws-sdk/client-firehose are not installed). Written by hand around the
 * SDK's own Signature V4 signer (@smithy/signature-v4, already in the
 * install through every SDK client) and the Lambda environment's
 * credentials; replace with the clients once they are dependencies.
 *
 * Protocol (both services' API references, "Common Parameters" / the
 * service model's `awsJson1_1` protocol): POST `/` to
 * `<endpointPrefix>.<region>.amazonaws.com` with
 * `Content-Type: application/x-amz-json-1.1` and
 * `X-Amz-Target: <targetPrefix>.<Operation>`; an error answers a non-2xx
 * status with `{"__type": "...#<ErrorCode>", "message": ...}`.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { SignatureV4 } from '@smithy/signature-v4';

/** The services reached this way, with their JSON protocol settings. */
export const JSON_SERVICES = {
  CloudWatchLogs: {
    endpointPrefix: 'logs',
    signingName: 'logs',
    targetPrefix: 'Logs_20140328',
  },
  Firehose: {
    endpointPrefix: 'firehose',
    signingName: 'firehose',
    targetPrefix: 'Firehose_20150804',
  },
} as const;

export type JsonService = keyof typeof JSON_SERVICES;

/**
 * One call: resolves with the response document, rejects with an Error
 * whose `name` is the AWS error code and `$metadata.httpStatusCode` the
 * status (so `isTransientAwsError` classifies it like an SDK error).
 */
export type AwsJsonCall = (
  service: JsonService,
  operation: string,
  input: Record<string, unknown>,
) => Promise<Record<string, unknown>>;

type Data = string | ArrayBuffer | ArrayBufferView;

const bytes = (d: Data): Buffer =>
  typeof d === 'string'
    ? Buffer.from(d, 'utf8')
    : ArrayBuffer.isView(d)
      ? Buffer.from(d.buffer, d.byteOffset, d.byteLength)
      : Buffer.from(d);

/** The SHA-256 (and HMAC-SHA-256) the signer needs, from node:crypto. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: Data) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined
      ? createHash('sha256')
      : createHmac('sha256', bytes(this.secret));
  }
  update(data: Data): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** The transport over HTTPS, signed with the function's credentials. */
export function signedJsonCall(
  regionOf: () => Promise<string>,
  send: typeof fetch = fetch,
): AwsJsonCall {
  const credentials = fromEnv();
  return async (service, operation, input) => {
    const region = await regionOf();
    const s = JSON_SERVICES[service];
    const hostname = `${s.endpointPrefix}.${region}.amazonaws.com`;
    const body = JSON.stringify(input);
    const signer = new SignatureV4({
      service: s.signingName,
      region,
      credentials,
      sha256: NodeSha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'https:',
      hostname,
      path: '/',
      query: {},
      headers: {
        host: hostname,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `${s.targetPrefix}.${operation}`,
      },
      body,
    });
    const response = await send(`https://${hostname}/`, {
      method: 'POST',
      headers: signed.headers,
      body,
    });
    const text = await response.text();
    const doc = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    if (!response.ok) {
      const type = String(doc.__type ?? doc.code ?? 'UnknownError');
      const err = new Error(
        String(doc.message ?? doc.Message ?? `${service} ${operation} failed`),
      );
      err.name = type.slice(type.lastIndexOf('#') + 1);
      Object.assign(err, { $metadata: { httpStatusCode: response.status } });
      throw err;
    }
    return doc;
  };
}
