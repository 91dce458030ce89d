import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { bundle } from '../../bench/bundles.ts';
import {
  BASE_BUNDLING,
  bundlingFor,
  esbuildOptions,
  KAFKA_PHASES,
  PHASES,
  REPLICATOR_API_PHASES,
  RUNTIME_SDK,
  treeShakeCommand,
} from '../../infra/bundling.ts';
import { treeShakeBundle } from '../../infra/tree-shake.ts';

describe('bundlingFor', () => {
  it('should bundle every dependency of every deployed phase', () => {
    for (const phase of PHASES) {
      expect(bundlingFor(phase).externalModules).toEqual([]);
      expect(bundlingFor(phase)).toMatchObject({
        keepNames: true,
        sourceMap: true,
        sourcesContent: false,
      });
    }
  });

  it('should alias the Kafka client to its Admin part only where Kafka is spoken', () => {
    const probe = bundlingFor('probe-source');
    expect(probe.alias?.['@platformatic/kafka']).toMatch(
      /\/infra\/bundle-trims\/kafka-admin-only\.ts$/,
    );
    expect(probe.alias?.['ajv/dist/2020.js']).toMatch(
      /\/infra\/bundle-trims\/lazy-ajv\.ts$/,
    );
    expect(probe.banner).toContain('createRequire');
    for (const phase of PHASES.filter((p) => !KAFKA_PHASES.has(p))) {
      expect(bundlingFor(phase)).toBe(BASE_BUNDLING);
    }
  });

  it('should leave out only the runtime SDK in the measured alternative', () => {
    expect(bundlingFor('record-failure', 'runtime').externalModules).toEqual(
      RUNTIME_SDK,
    );
    // The Kafka recipe survives the switch.
    expect(bundlingFor('probe-source', 'runtime')).toMatchObject({
      externalModules: RUNTIME_SDK,
      alias: bundlingFor('probe-source').alias,
    });
  });

  it('should refuse the runtime SDK to a phase that calls the Replicator API', () => {
    expect([...REPLICATOR_API_PHASES]).toContain('create-replicators');
    for (const phase of REPLICATOR_API_PHASES) {
      expect(() => bundlingFor(phase, 'runtime')).toThrow(
        `${phase} calls the MSK Replicator API and must bundle its SDK`,
      );
    }
  });
});

describe('the environment credential chain', () => {
  const dir = mkdtempSync(join(tmpdir(), 'msk-cutover-credentials-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should alias the default chain to its environment link in every bundle', () => {
    for (const phase of PHASES) {
      expect(
        bundlingFor(phase).alias?.['@aws-sdk/credential-provider-node'],
      ).toMatch(/\/infra\/bundle-trims\/env-credentials\.ts$/);
    }
  });

  it('should leave the rest of the chain out of a bundle', async () => {
    const { metafile } = await bundle(
      'record-failure',
      join(dir, 'record-failure'),
    );
    const inOutput = Object.values(metafile.outputs).flatMap((o) =>
      Object.entries(o.inputs)
        .filter(([, i]) => i.bytesInOutput > 0)
        .map(([path]) => path),
    );
    expect(inOutput.some((p) => p.includes('/credential-provider-env/'))).toBe(
      true,
    );
    expect(inOutput.filter((p) => OTHER_PROVIDERS.test(p))).toEqual([]);
  });

  it('should sign a bundled client request with the environment credentials, and look nowhere else', async () => {
    const file = join(dir, 'sign', 'index.mjs');
    await buildEntry(SIGNING_ENTRY, file);
    const withCredentials = runBundle(file, {
      AWS_ACCESS_KEY_ID: 'AKIDFROMTHEENVIRONMENT',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'session-token',
    });
    expect(withCredentials.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDFROMTHEENVIRONMENT\/\d{8}\/eu-west-1\/sns\/aws4_request, /,
    );
    expect(withCredentials.token).toBe('session-token');
    // The whole chain would go on to ini files, processes and web identity
    // (and instance metadata, disabled here) and end with "Could not load
    // credentials from any providers".
    expect(runBundle(file, {}).error).toBe(
      'Unable to find environment variable credentials.',
    );
  });
});

const ROOT = join(import.meta.dirname, '..', '..');

/** What the environment link replaces; none of it may reach a bundle. */
const OTHER_PROVIDERS =
  /@aws-sdk\/(nested-clients|credential-provider-(node|ini|sso|process|web-identity|http|login|cognito-identity)|token-providers)\/|@smithy\/credential-provider-imds\//;

/**
 * A client whose request handler, called once the request is signed,
 * prints the signature headers instead of sending anything.
 */
const SIGNING_ENTRY = `
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
const client = new SNSClient({
  region: 'eu-west-1',
  maxAttempts: 1,
  requestHandler: {
    handle: async (request) => {
      throw Object.assign(new Error('captured'), { request });
    },
  },
});
try {
  await client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t', Message: 'm' }));
} catch (err) {
  const headers = err.request?.headers ?? {};
  process.stdout.write(JSON.stringify(err.request
    ? { authorization: headers.authorization, token: headers['x-amz-security-token'] }
    : { error: err.message }));
}
`;

/** Bundles `contents` (TypeScript) with the stack's shared options. */
async function buildEntry(contents: string, outfile: string): Promise<void> {
  await build({
    ...esbuildOptions(BASE_BUNDLING),
    stdin: { contents, resolveDir: ROOT, loader: 'ts' },
    outfile,
    logLevel: 'error',
  });
}

/** Runs a bundle where nothing else resolves; it prints one JSON value. */
function runBundle<
  T = { authorization?: string; token?: string; error?: string },
>(file: string, credentials: Record<string, string>): T {
  const result = spawnSync(process.execPath, [file], {
    encoding: 'utf8',
    cwd: dirname(file),
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dirname(file),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...credentials,
    },
    timeout: 20_000,
  });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as T;
}

describe('the pattern engine in a bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'msk-cutover-patterns-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should match with Java semantics where no node_modules resolves, the engine evaluated on first use', async () => {
    const file = join(dir, 'index.mjs');
    const { metafile } = await build({
      ...esbuildOptions(BASE_BUNDLING),
      stdin: { contents: PATTERN_ENTRY, resolveDir: ROOT, loader: 'ts' },
      outfile: file,
      metafile: true,
      logLevel: 'error',
    });
    await treeShakeBundle(file);
    // Reached through `require`, which esbuild wraps in a function called
    // on first use; the ESM build would be evaluated with the bundle.
    const re2Inputs = Object.keys(metafile.inputs).filter((p) =>
      p.includes('node_modules/re2js/'),
    );
    expect(re2Inputs).toEqual([
      expect.stringMatching(/re2js\/build\/index\.cjs$/),
    ]);
    expect(runBundle<unknown>(file, {})).toEqual({
      literal: [true, false],
      linear: ['linear', true, false],
      backtracking: ['backtracking', true, false],
    });
  });
});

/**
 * A literal list, a pattern the linear engine runs, and one only the
 * backtracking matcher can (a back-reference).
 */
const PATTERN_ENTRY = `
import { PatternSet, javaMatcher } from './functions/shared/domain/patterns.ts';
const literal = new PatternSet(['orders', 'payments']);
const linear = javaMatcher('(orders|payments)\\\\.v[0-9]+');
const backtracking = javaMatcher('(a+)b\\\\1');
process.stdout.write(JSON.stringify({
  literal: [literal.matches('orders'), literal.matches('orders.v1')],
  linear: [linear.engine, linear.matches('payments.v12'), linear.matches('payments.v')],
  backtracking: [backtracking.engine, backtracking.matches('aabaa'), backtracking.matches('aaba')],
}));
`;

describe('the second tree-shaking pass', () => {
  const dir = mkdtempSync(join(tmpdir(), 'msk-cutover-shake-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should run after esbuild for every phase, as the stack hook and in the benchmark', () => {
    for (const phase of PHASES) {
      expect(bundlingFor(phase).secondTreeShake).toBe(true);
    }
    const command = treeShakeCommand("/tmp/out dir/it's");
    expect(command).toContain(`'${process.execPath}'`);
    expect(command).toMatch(/\/infra\/tree-shake\.ts' /);
    expect(command).toMatch(/'\/tmp\/out dir\/it'\\''s\/index\.mjs'$/);
  });

  it('should drop the EC2 schemas preflight does not use, which esbuild keeps', async () => {
    const file = join(dir, 'preflight-esbuild', 'index.mjs');
    await build({
      ...esbuildOptions(bundlingFor('preflight')),
      entryPoints: [join(ROOT, 'functions/preflight/handler.ts')],
      outfile: file,
      logLevel: 'error',
    });
    const { file: shaken } = await bundle('preflight', join(dir, 'preflight'));
    const before = readFileSync(file, 'utf8');
    const after = readFileSync(shaken, 'utf8');
    // The request schema of an operation preflight never calls, and of one
    // it does (rolldown prints strings in backquotes).
    const named = (name: string) => new RegExp(`["'\`]${name}["'\`]`);
    expect(before).toMatch(named('RunInstancesRequest'));
    expect(after).not.toMatch(named('RunInstancesRequest'));
    expect(after).toMatch(named('DescribeSubnetsRequest'));
    expect(after.length).toBeLessThan(before.length * 0.6);
  });

  it('should keep stack traces mapped to the original sources', async () => {
    const { file } = await bundle(
      'record-failure',
      join(dir, 'record-failure'),
    );
    const script = `const { handler } = await import(${JSON.stringify(file)});
      try { await handler({}, { awsRequestId: 'r', functionName: 'f' }); }
      catch (err) { process.stdout.write(err.stack); }`;
    const result = spawnSync(
      process.execPath,
      ['--enable-source-maps', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '',
          AWS_REGION: 'eu-west-1',
          LEDGER_TABLE: 'ledger',
          TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:t',
          EVENT_BUS_NAME: 'bus',
          POWERTOOLS_LOG_LEVEL: 'SILENT',
        },
        timeout: 20_000,
      },
    );
    expect(result.stdout).toMatch(/^ValidationError: invalid event: /);
    expect(result.stdout).toMatch(
      /at parseEvent \(.*\/functions\/shared\/handler\.ts:\d+:\d+\)/,
    );
  });

  it('should leave the SDK calls of a shaken bundle working: requests, answers and errors', async () => {
    const file = join(dir, 'sdk', 'index.mjs');
    await buildEntry(SDK_ENTRY, file);
    const unshaken = readFileSync(file, 'utf8').length;
    await treeShakeBundle(file);
    expect(readFileSync(file, 'utf8').length).toBeLessThan(unshaken);
    const result = runBundle<unknown>(file, {
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
    expect(result).toEqual({
      plan: '{"migrationId":"m"}',
      missingPlan:
        'ValidationError: plan s3://plans/p.json (version v1) does not exist',
      subnets: [{ id: 'subnet-1', vpcId: 'vpc-1', az: 'eu-west-1a' }],
      groups: [
        {
          id: 'sg-1',
          vpcId: 'vpc-1',
          egress: [
            {
              protocol: 'tcp',
              fromPort: 9096,
              toPort: 9098,
              cidrs: ['10.0.0.0/16'],
              groups: ['sg-2'],
            },
          ],
        },
      ],
      conditionFailed: 'ConditionalCheckFailedException true',
      logGroup: true,
      streams: [true, false],
      requests: [
        'GET /p.json?x-id=GetObject&versionId=v1',
        'GET /p.json?x-id=GetObject&versionId=v1',
        'POST Action=DescribeSubnets',
        'POST Action=DescribeSecurityGroups',
        'POST DynamoDB_20120810.PutItem',
        'POST Logs_20140328.DescribeLogGroups {"logGroupNamePrefix":"/g","limit":50}',
        'POST Firehose_20150804.DescribeDeliveryStream {"DeliveryStreamName":"s"}',
        'POST Firehose_20150804.DescribeDeliveryStream {"DeliveryStreamName":"t"}',
      ],
    });
  });
});

/**
 * Real adapters and clients over canned AWS answers (S3 REST-XML, EC2 query,
 * DynamoDB, CloudWatch Logs and Firehose JSON), errors included: what the schemas left after the second
 * pass must still write the requests and read the answers.
 */
const SDK_ENTRY = `
import { Readable } from 'node:stream';
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { KafkaClient } from '@aws-sdk/client-kafka';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { AwsInventoryAdapter } from './functions/shared/aws/inventory.ts';
import { AwsLogDestinations } from './functions/shared/aws/log-destinations.ts';
import { S3PlanStore } from './functions/shared/aws/plan-store.ts';

const requests = [];
const answers = [];
const requestHandler = {
  handle: async (request) => {
    const body = typeof request.body === 'string' ? request.body : '';
    const target = request.headers['x-amz-target'];
    const query = Object.entries(request.query ?? {}).map(([k, v]) => k + '=' + v).join('&');
    const json = target?.startsWith('Logs_') || target?.startsWith('Firehose_') ? ' ' + new TextDecoder().decode(request.body) : '';
    requests.push(request.method + ' ' + (target ?? (body.match(/Action=\\w+/)?.[0] ?? request.path + '?' + query)) + json);
    const [statusCode, headers, text] = answers.shift();
    return { response: { statusCode, headers, body: Readable.from([Buffer.from(text)]) } };
  },
};
const config = { region: 'eu-west-1', maxAttempts: 1, requestHandler };
const xml = { 'content-type': 'text/xml' };
const out = {};

const plans = new S3PlanStore(new S3Client(config));
const ref = { bucket: 'plans', key: 'p.json', versionId: 'v1' };
answers.push([200, { 'content-type': 'application/json' }, '{"migrationId":"m"}']);
out.plan = await plans.get(ref);
answers.push([404, xml, '<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>']);
out.missingPlan = await plans.get(ref).catch((err) => err.name + ': ' + err.message);

const inventory = new AwsInventoryAdapter({
  kafka: new KafkaClient(config),
  secrets: new SecretsManagerClient(config),
  ec2: new EC2Client(config),
  quotas: new ServiceQuotasClient(config),
});
answers.push([200, xml, '<DescribeSubnetsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><subnetSet><item><subnetId>subnet-1</subnetId><vpcId>vpc-1</vpcId><availabilityZone>eu-west-1a</availabilityZone></item></subnetSet></DescribeSubnetsResponse>']);
out.subnets = await inventory.subnets(['subnet-1']);
answers.push([200, xml, '<DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><securityGroupInfo><item><groupId>sg-1</groupId><vpcId>vpc-1</vpcId><ipPermissionsEgress><item><ipProtocol>tcp</ipProtocol><fromPort>9096</fromPort><toPort>9098</toPort><ipRanges><item><cidrIp>10.0.0.0/16</cidrIp></item></ipRanges><groups><item><groupId>sg-2</groupId></item></groups></item></ipPermissionsEgress></item></securityGroupInfo></DescribeSecurityGroupsResponse>']);
out.groups = await inventory.securityGroups(['sg-1']);

answers.push([400, { 'content-type': 'application/x-amz-json-1.0' }, JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed' })]);
out.conditionFailed = await new DynamoDBClient(config)
  .send(new PutItemCommand({ TableName: 't', Item: { pk: { S: 'k' } } }))
  .catch((err) => err.name + ' ' + (err instanceof ConditionalCheckFailedException));
const destinations = new AwsLogDestinations({
  logs: new CloudWatchLogsClient(config),
  s3: new S3Client(config),
  firehose: new FirehoseClient(config),
});
const logsJson = { 'content-type': 'application/x-amz-json-1.1' };
answers.push([200, logsJson, JSON.stringify({ logGroups: [{ logGroupName: '/g' }] })]);
out.logGroup = await destinations.logGroupExists('/g');
answers.push([200, logsJson, JSON.stringify({ DeliveryStreamDescription: { DeliveryStreamName: 's', DeliveryStreamStatus: 'ACTIVE' } })]);
answers.push([400, logsJson, JSON.stringify({ __type: 'ResourceNotFoundException', message: 'Firehose t under account 123456789012 not found.' })]);
out.streams = [await destinations.deliveryStreamExists('s'), await destinations.deliveryStreamExists('t')];
out.requests = requests;
process.stdout.write(JSON.stringify(out));
`;
