/**
 * Wall time of a complete Kafka-side probe and of one measure pass against
 * the test broker (TLS + SCRAM, and OAUTHBEARER for the target side) with
 * 500 topics and 200 consumer groups. Everything real except AWS: the plan,
 * secret, ledger and metrics ports are in memory.
 *
 * `npx tsx bench/probe.ts` prints the figures alone; `npm run bench` prints
 * them with the others. Bundle size and cold import of the probe-source
 * function are in `bench/bundles.ts`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import {
  type MeasureSourceLagDeps,
  runMeasure,
} from '../functions/measure-source-lag/measure-source-lag.ts';
import {
  type ProbeSourceDeps,
  runProbe,
} from '../functions/probe-source/probe-source.ts';
import { PlatformaticKafkaProbe } from '../functions/shared/kafka/probe.ts';
import {
  modelOf,
  startTestBroker,
} from '../test/support/kafka-broker/broker.ts';
import { generateTestPki } from '../test/support/kafka-broker/pki.ts';
import { atMost, type Figure, median } from './figure.ts';

export const TOPICS = 500;
export const GROUPS = 200;
/** "Finishes in seconds" from the Kafka-side issue. */
export const TARGET_MS = 5000;
const RUNS = 3;

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Probe and measure wall times, median of a few runs each. */
export async function benchProbe(): Promise<
  { name: string; value: number; unit: string }[]
> {
  const pki = generateTestPki();
  const topics: Record<string, number[]> = {};
  for (let i = 0; i < TOPICS; i++) {
    topics[`topic-${String(i).padStart(3, '0')}`] = [
      1000, 900, 800, 700, 600, 500,
    ];
  }
  topics.orders = [100];
  topics.order_status = [100];
  const groups: Record<
    string,
    { members: number; offsets: Record<string, number[]> }
  > = {};
  for (let g = 0; g < GROUPS; g++) {
    const offsets: Record<string, number[]> = {};
    for (let t = 0; t < 3; t++) {
      offsets[`topic-${String((g * 3 + t) % TOPICS).padStart(3, '0')}`] = [
        990, 880, 800, 650, 600, 400,
      ];
    }
    groups[`group-${g}`] = { members: g % 2, offsets };
  }
  const broker = await startTestBroker({
    cert: pki.serverCert,
    key: pki.serverKey,
    model: modelOf({
      clusterId: 'bench-cluster',
      topics,
      groups,
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
    mechanisms: ['SCRAM-SHA-512', 'OAUTHBEARER'],
    users: [{ name: 'repl', password: 'bench-pw' }],
  });
  try {
    const plan = JSON.parse(
      readFileSync(
        join(import.meta.dirname, '..', 'events', 'start-migration.json'),
        'utf8',
      ),
    );
    plan.source.bootstrapBrokers = [broker.bootstrap];
    plan.source.clusterId = 'bench-cluster';
    plan.replication.topics = ['topic-.*', 'orders', 'order_status'];
    plan.replication.consumerGroups = ['.*'];
    const ref = { bucket: 'bench', key: 'plan.json', versionId: '1' };
    const real = new PlatformaticKafkaProbe();
    const deps: ProbeSourceDeps & MeasureSourceLagDeps = {
      plans: { get: async () => JSON.stringify(plan), put: async () => ref },
      inventory: {
        secretJson: async () => ({
          username: 'repl',
          password: 'bench-pw',
          certificate: pki.caChain,
        }),
        bootstrapBrokers: async () => broker.bootstrap,
      },
      ledger: {
        putChecks: async () => {},
        updateMigration: async () => {},
        putEvidence: async () => {},
        latestEvidenceRef: async () => null,
      },
      // The target side reaches the same broker, trusting the test CA.
      kafka: {
        checkTransport: real.checkTransport.bind(real),
        connect: (access) =>
          real.connect({ ...access, tls: { ca: pki.caChain } }),
      },
      metrics: { put: async () => {} },
      iamToken: (region) => async () =>
        (
          await generateAuthTokenFromCredentialsProvider({
            region,
            awsCredentialsProvider: async () => ({
              accessKeyId: 'AKIDBENCH',
              secretAccessKey: 'bench',
            }),
          })
        ).token,
      clock: { now: () => new Date() },
      log: quiet,
    };
    const time = async (fn: () => Promise<unknown>) => {
      const runs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        await fn();
        runs.push(Math.round(performance.now() - started));
      }
      return median(runs);
    };
    const probeMs = await time(() =>
      runProbe({ migrationId: 'bench', planRef: ref }, deps),
    );
    const measureMs = await time(async () => {
      const r = await runMeasure({ migrationId: 'bench', planRef: ref }, deps);
      if (r.groups < GROUPS)
        throw new Error(`measured ${r.groups} groups, expected ${GROUPS}+`);
    });
    return [
      {
        name: `probe ${TOPICS} topics, ${GROUPS} groups (test broker)`,
        value: probeMs,
        unit: 'ms',
      },
      {
        name: `measure ${GROUPS} groups on both clusters (test broker)`,
        value: measureMs,
        unit: 'ms',
      },
    ];
  } finally {
    await broker.stop();
  }
}

/** Entry point of `bench/run.ts`. */
export async function run(): Promise<Figure[]> {
  return (await benchProbe()).map((f) =>
    atMost(f.name, f.value, f.unit, TARGET_MS),
  );
}

if (import.meta.main) {
  for (const f of await benchProbe()) {
    process.stdout.write(`${f.name}: ${f.value} ${f.unit}\n`);
  }
}
