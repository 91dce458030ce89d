/**
 * The hand-written JSON 1.1 transport (CloudWatch Logs, Firehose): what it
 * sends is a SigV4-signed POST as the services' protocol requires, and an
 * error answer becomes an Error named by its AWS error code. The network is
 * replaced by a recording `fetch` (AWS itself is the only thing mocked).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signedJsonCall } from '../../../../functions/shared/aws/aws-json.ts';
import { isTransientAwsError } from '../../../../functions/shared/aws/transient.ts';

const sent: { url: string; init: RequestInit }[] = [];
const answer = (status: number, body: unknown) =>
  (async (url: string, init: RequestInit) => {
    sent.push({ url, init });
    return new Response(JSON.stringify(body), { status });
  }) as unknown as typeof fetch;

beforeEach(() => {
  sent.length = 0;
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'not-a-real-secret');
  vi.stubEnv('AWS_SESSION_TOKEN', 'session');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('signedJsonCall', () => {
  it('should POST a signed JSON 1.1 request to the regional endpoint', async () => {
    const call = signedJsonCall(
      async () => 'eu-west-1',
      answer(200, { logGroups: [{ logGroupName: '/x' }] }),
    );
    const out = await call('CloudWatchLogs', 'DescribeLogGroups', {
      logGroupNamePrefix: '/x',
    });
    expect(out).toEqual({ logGroups: [{ logGroupName: '/x' }] });
    const [req] = sent;
    expect(req?.url).toBe('https://logs.eu-west-1.amazonaws.com/');
    const headers = req?.init.headers as Record<string, string>;
    expect(headers['x-amz-target']).toBe('Logs_20140328.DescribeLogGroups');
    expect(headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(headers['x-amz-security-token']).toBe('session');
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/logs\/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-target[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(req?.init.body).toBe('{"logGroupNamePrefix":"/x"}');
  });

  it('should name errors by their AWS code, throttling transient', async () => {
    const notFound = signedJsonCall(
      async () => 'us-east-1',
      answer(400, {
        __type: 'com.amazonaws.firehose#ResourceNotFoundException',
        message: 'Firehose s not found.',
      }),
    );
    await expect(
      notFound('Firehose', 'DescribeDeliveryStream', {
        DeliveryStreamName: 's',
      }),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Firehose s not found.',
    });
    expect(sent[0]?.url).toBe('https://firehose.us-east-1.amazonaws.com/');
    const throttled = signedJsonCall(
      async () => 'us-east-1',
      answer(400, { __type: 'ThrottlingException', message: 'Rate exceeded' }),
    );
    const err = await throttled(
      'CloudWatchLogs',
      'DescribeLogGroups',
      {},
    ).catch((e: unknown) => e);
    expect(isTransientAwsError(err)).toBe(true);
  });
});
