/**
 * The probe-source bundle, built with the stack's own esbuild options
 * (infra/bundling.ts: ESM, the wasm-utils alias, the createRequire banner),
 * runs a real probe over TLS + SCRAM in a fresh Node process: the recipe the
 * Kafka client needs is proved on the artifact Lambda runs, not on sources.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundlingFor,
  esbuildOptions,
  handlerEntry,
} from '../../../infra/bundling.ts';
import { treeShakeBundle } from '../../../infra/tree-shake.ts';
import {
  modelOf,
  type RunningBroker,
  startTestBroker,
} from '../../support/kafka-broker/broker.ts';
import {
  generateTestPki,
  type TestPki,
} from '../../support/kafka-broker/pki.ts';

let dir: string;
let pki: TestPki;
let broker: RunningBroker;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'probe-bundle-'));
  pki = generateTestPki();
  broker = await startTestBroker({
    cert: pki.serverCert,
    key: pki.serverKey,
    model: modelOf({
      clusterId: 'bundle-cluster',
      topics: { orders: [1], order_status: [1] },
      acls: [2, 3, 4].map((resourceType) => ({
        resourceType,
        resourceName: resourceType === 4 ? 'kafka-cluster' : '*',
        patternType: 3,
        principal: 'User:repl',
        host: '*',
        operation: 2,
        permission: 3,
      })),
    }),
    users: [{ name: 'repl', password: 'bundle-pw' }],
  });
});
afterAll(async () => {
  await broker.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('probe-source bundle', () => {
  it('probes the test broker from the esbuild artifact', async () => {
    // The esbuild call NodejsFunction makes with the stack's options, and
    // the second tree-shaking pass the stack runs after it.
    const options = bundlingFor('probe-source');
    const file = join(dir, 'index.mjs');
    await build({
      ...esbuildOptions(options),
      entryPoints: [handlerEntry('probe-source')],
      outfile: file,
      logLevel: 'error',
    });
    if (options.secondTreeShake) await treeShakeBundle(file);
    const plan = JSON.parse(
      readFileSync('events/start-migration.json', 'utf8'),
    );
    plan.source.bootstrapBrokers = [broker.bootstrap];
    plan.source.clusterId = 'bundle-cluster';
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
    writeFileSync(join(dir, 'ca.pem'), pki.caChain);
    const runner = join(dir, 'run.mjs');
    writeFileSync(
      runner,
      `import { readFileSync } from 'node:fs';
const { createHandler } = await import(${JSON.stringify(file)});
const read = (f) => readFileSync(${JSON.stringify(dir)} + '/' + f, 'utf8');
const handler = createHandler({
  plans: { get: async () => read('plan.json'), put: async () => { throw new Error('unused'); } },
  inventory: {
    secretJson: async () => ({ username: 'repl', password: 'bundle-pw', certificate: read('ca.pem') }),
  },
  ledger: { putChecks: async () => {}, updateMigration: async () => {} },
});
const out = await handler(
  { migrationId: 'orders-platform', planRef: { bucket: 'plans', key: 'p.json', versionId: 'v1' } },
  { functionName: 'probe-source', awsRequestId: 'r' },
);
process.stdout.write(JSON.stringify(out));
`,
    );
    // Asynchronous: the broker serves from this process's event loop.
    const run = await promisify(execFile)(process.execPath, [runner], {
      encoding: 'utf8',
      timeout: 20_000,
      env: {
        ...process.env,
        AWS_REGION: 'us-east-1',
        LEDGER_TABLE: 'ledger',
        TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t',
        EVENT_BUS_NAME: 'bus',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      },
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: true,
      clusterId: 'bundle-cluster',
      topicCount: 2,
    });
    expect(broker.authenticated).toContain('repl');
  });
});
