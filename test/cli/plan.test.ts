import { execFile } from 'node:child_process';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlanCommand } from '../../cli/commands/plan.ts';

const ROOT = join(import.meta.dirname, '../..');
const GOLDEN = join(ROOT, 'test/fixtures/golden/start-migration');
const INVALID = join(ROOT, 'events/invalid');
const IMPORT = join(ROOT, 'test/fixtures/import-cli');
const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'msk-cutover-plan-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Outcome {
  code: number;
  stdout: string;
  /** stderr without npm's own warnings about the npx launcher. */
  stderr: string;
}

/** `npx msk-cutover <args>` from the project root, as a user runs it. */
async function cli(...args: string[]): Promise<Outcome> {
  const clean = (s: string) =>
    s
      .split('\n')
      .filter((l) => !l.startsWith('npm warn'))
      .join('\n');
  try {
    const { stdout, stderr } = await run('npx', ['msk-cutover', ...args], {
      cwd: ROOT,
    });
    return { code: 0, stdout, stderr: clean(stderr) };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: clean(e.stderr) };
  }
}

const STACK = /^\s+at .+:\d+/m;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();
}

describe('msk-cutover plan (child process)', () => {
  it('prints the summary of a valid plan and exits 0', async () => {
    const { code, stdout, stderr } = await cli(
      'plan',
      'events/start-migration.json',
    );
    expect(code).toBe(0);
    expect(stderr.trim()).toBe('');
    expect(stdout).toContain('Plan orders-platform is valid (us-east-1).');
    expect(stdout).toContain(
      'msk-cutover-orders-platform-fwd: forward, starts at EARLIEST, offset sync ENHANCED',
    );
    expect(stdout).toContain(
      'msk-cutover-orders-platform-rev: reverse, starts at LATEST, offset sync ENHANCED',
    );
    expect(stdout).toMatch(
      /1\. order-status: .*\n {2}2\. orders: .*\n {2}3\. customer-notification: /,
    );
    expect(stdout).toContain('Gates');
  });

  it('writes the requests, the ACL script and the role policy with --out', async () => {
    const out = join(work, 'out');
    const { code, stderr } = await cli(
      'plan',
      'events/start-migration.json',
      '--out',
      out,
    );
    expect(code).toBe(0);
    expect(stderr).toContain(`Wrote 11 files to ${out}`);
    expect(filesUnder(out)).toEqual([
      'forward/create-replicator.json',
      'forward/kafka-clusters.json',
      'forward/log-delivery.json',
      'forward/replication-info.json',
      'replicator-role-policy.json',
      'replicator-role-trust-policy.json',
      'reverse/create-replicator.json',
      'reverse/kafka-clusters.json',
      'reverse/log-delivery.json',
      'reverse/replication-info.json',
      'source-acls.sh',
    ]);
    for (const file of filesUnder(GOLDEN)) {
      expect(readFileSync(join(out, file), 'utf8'), file).toBe(
        readFileSync(join(GOLDEN, file), 'utf8'),
      );
    }
    const script = readFileSync(join(out, 'source-acls.sh'), 'utf8');
    expect(statSync(join(out, 'source-acls.sh')).mode & 0o111).not.toBe(0);
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    const ordersLine = script
      .split('\n')
      .find((l) => l.endsWith('--topic orders'));
    for (const op of ['Alter', 'AlterConfigs', 'Create', 'Write', 'Read']) {
      expect(ordersLine).toContain(`--operation ${op} `);
    }
    expect(script).toContain('--operation IdempotentWrite');
    expect(script).not.toContain('ClusterAction');
    expect(script).toContain('--group order-status');
  });

  it('prints one JSON document with --json', async () => {
    const { code, stdout } = await cli(
      'plan',
      'events/start-migration.json',
      '--json',
    );
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.valid).toBe(true);
    expect(doc.replicators.map((r: { name: string }) => r.name)).toEqual([
      'msk-cutover-orders-platform-fwd',
      'msk-cutover-orders-platform-rev',
    ]);
    expect(doc.replicators[0].input).toEqual(
      JSON.parse(
        readFileSync(join(GOLDEN, 'forward/create-replicator.json'), 'utf8'),
      ),
    );
    expect(doc.cutover.map((s: { name: string }) => s.name)).toEqual([
      'order-status',
      'orders',
      'customer-notification',
    ]);
    expect(doc.rolePolicy.policy.Version).toBe('2012-10-17');
    // One command per resource: two topics, two heartbeat prefixes, two
    // groups and the cluster.
    expect(doc.sourceAcls.commands.length).toBe(7);
  });

  it('exits 2 on an invalid plan with every problem on its own line, no stack', async () => {
    const { code, stdout, stderr } = await cli(
      'plan',
      'events/invalid/many-problems.json',
    );
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).not.toMatch(STACK);
    const lines = stderr.trim().split('\n');
    expect(lines[0]).toBe(
      'events/invalid/many-problems.json: 8 problems; nothing was created',
    );
    expect(lines.slice(1).map((l) => l.trim().split(':')[0])).toEqual([
      'applications[2].owner',
      'replicaton',
      'migrationId',
      'source.bootstrapBrokers[0]',
      'source.saslScram.mechanism',
      'replication.startingPosition',
      'readiness.sustainedMinutes',
      'applications[1].consumerGroups[0]',
    ]);
  });

  it('exits 2 with the issues as JSON when --json is given', async () => {
    const { code, stdout } = await cli(
      'plan',
      'events/invalid/unknown-field-typo.json',
      '--json',
    );
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toEqual({
      valid: false,
      issues: [
        {
          path: 'replicaton',
          message: 'is not a known field; did you mean `replication`?',
        },
        { path: 'replication', message: 'is required' },
      ],
    });
  });

  it('exits 2 on a missing file and on a missing argument', async () => {
    const missing = await cli('plan', 'no-such-plan.json');
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(
      'no-such-plan.json: cannot read the file (no such file or directory)',
    );
    const none = await cli('plan');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('missing <plan.json>');
  });

  it('exits 2 with one line when --out is under a file, writing nothing', async () => {
    const blocker = join(work, 'a-file');
    writeFileSync(blocker, '');
    const { code, stdout, stderr } = await cli(
      'plan',
      'events/start-migration.json',
      '--out',
      join(blocker, 'sub'),
    );
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      `msk-cutover plan: --out ${join(blocker, 'sub')}: ${blocker} is a file, not a directory; nothing was written`,
    );
    expect(stderr).not.toMatch(STACK);
    expect(stdout).toBe('');
  });

  it('drafts a plan from the walkthrough files with --import-cli', async () => {
    const { code, stdout, stderr } = await cli(
      'plan',
      '--import-cli',
      join(IMPORT, 'kafka-clusters.json'),
      join(IMPORT, 'replication-info.json'),
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout).source.clusterId).toBe('lkc-abc123');
    expect(stderr).toContain('Could not infer');
    expect(stderr).toContain('applications: which application produces');
  });

  it('exits 2 on the walkthrough typo `Kind` with --import-cli', async () => {
    const { code, stderr } = await cli(
      'plan',
      '--import-cli',
      join(IMPORT, 'kafka-clusters.json'),
      join(IMPORT, 'replication-info-kind.json'),
    );
    expect(code).toBe(2);
    expect(stderr).toContain(
      'replication-info.json[0].TopicReplication.StartingPosition.Kind: the MSK Replicator API field is `Type`',
    );
  });
});

describe('runPlanCommand on the whole invalid corpus', () => {
  const files = readdirSync(INVALID).filter((f) => f.endsWith('.json'));

  it.each(files)(
    'exits 2 for %s, one line per problem with its path',
    async (file) => {
      const err: string[] = [];
      const out: string[] = [];
      const code = await runPlanCommand(
        join(INVALID, file),
        { scramUser: 'msk-replicator' },
        { stdout: (t) => out.push(t), stderr: (t) => err.push(t) },
      );
      expect(code).toBe(2);
      expect(out).toEqual([]);
      const lines = err.join('').trim().split('\n');
      expect(lines[0]).toMatch(/: \d+ problems?; nothing was created$/);
      const count = Number(/: (\d+) problem/.exec(lines[0] ?? '')?.[1]);
      expect(lines).toHaveLength(count + 1);
      for (const line of lines.slice(1)) {
        expect(line).toMatch(/^ {2}(\(plan\) |[A-Za-z[][^ ]*: )\S/);
      }
    },
  );
});

describe('runPlanCommand with shards', () => {
  it('writes each shard under <shard>/forward and <shard>/reverse', async () => {
    const plan = JSON.parse(
      readFileSync(join(ROOT, 'events/start-migration.json'), 'utf8'),
    );
    delete plan.replication.topics;
    delete plan.replication.topicsToExclude;
    plan.replication.shards = [
      { name: 'core', topics: ['orders'] },
      { name: 'status', topics: ['order_status'] },
    ];
    const file = join(work, 'sharded.json');
    writeFileSync(file, JSON.stringify(plan));
    const out = join(work, 'sharded-out');
    const code = await runPlanCommand(
      file,
      { scramUser: 'msk-replicator', out },
      { stdout: () => {}, stderr: () => {} },
    );
    expect(code).toBe(0);
    expect(
      filesUnder(out).filter((f) => f.endsWith('create-replicator.json')),
    ).toEqual([
      'core/forward/create-replicator.json',
      'core/reverse/create-replicator.json',
      'status/forward/create-replicator.json',
      'status/reverse/create-replicator.json',
    ]);
    const status = JSON.parse(
      readFileSync(join(out, 'status/reverse/create-replicator.json'), 'utf8'),
    );
    expect(status.ReplicatorName).toBe(
      'msk-cutover-orders-platform-status-rev',
    );
  });

  it('uses --source-cluster-id and --role-arn when the plan has neither', async () => {
    const plan = JSON.parse(
      readFileSync(join(ROOT, 'events/start-migration.json'), 'utf8'),
    );
    delete plan.source.clusterId;
    const file = join(work, 'no-id.json');
    writeFileSync(file, JSON.stringify(plan));
    const out: string[] = [];
    const role = 'arn:aws:iam::123456789012:role/my-replicator';
    await runPlanCommand(
      file,
      {
        scramUser: 'u',
        json: true,
        sourceClusterId: 'lkc-zzz999',
        roleArn: role,
      },
      { stdout: (t) => out.push(t), stderr: () => {} },
    );
    const doc = JSON.parse(out.join(''));
    expect(doc.assumptions).toEqual([]);
    expect(doc.warnings.map((w: { path: string }) => w.path)).toEqual([
      'source.clusterId',
    ]);
    expect(doc.replicators[0].input.ServiceExecutionRoleArn).toBe(role);
    expect(
      doc.replicators[1].input.ReplicationInfoList[0].TargetKafkaClusterId,
    ).toBe('lkc-zzz999');
  });
});

describe('runPlanCommand forecast', () => {
  const sample = join(ROOT, 'events/start-migration.json');
  async function planJsonOf(
    options: Partial<Parameters<typeof runPlanCommand>[1]> = {},
  ): Promise<{ code: number; doc: unknown; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runPlanCommand(
      sample,
      { scramUser: 'u', json: true, ...options },
      { stdout: (t) => out.push(t), stderr: (t) => err.push(t) },
    );
    return {
      code,
      doc: out.length ? JSON.parse(out.join('')) : null,
      err: err.join(''),
    };
  }

  it('returns the forecast under forecast with hours, cost and a breakdown', async () => {
    const { code, doc } = await planJsonOf();
    expect(code).toBe(0);
    const f = (doc as { forecast: Record<string, unknown> }).forecast;
    expect(f).toMatchObject({
      outcome: 'completes',
      hours: expect.any(Number),
      costUsd: expect.any(Number),
      phases: {
        creatingHours: 0.5,
        readinessHours: expect.any(Number),
        cutoverHours: expect.any(Number),
        rollbackWindowHours: 24,
        teardownHours: expect.any(Number),
      },
      prices: { date: '2026-12-05', region: 'us-east-1' },
    });
    const cost = f.cost as { item: string; usd: number; status: string }[];
    expect(cost.map((c) => c.item)).toEqual([
      'mskReplicatorHour',
      'mskReplicatorGb',
      'stepFunctionsTransition',
      'lambdaRequest',
      'lambdaGbSecond',
      'cloudWatchMetricRequested',
      'cloudWatchPutMetricDataRequest',
    ]);
    expect(f.costUsd).toBeCloseTo(
      cost.reduce((s, c) => s + c.usd, 0),
      2,
    );
    expect((f.shards as unknown[]).length).toBe(1);
    expect(f.hours as number).toBeGreaterThan(24);
  });

  it('applies --prices overrides and marks them', async () => {
    const file = join(work, 'prices.json');
    writeFileSync(
      file,
      JSON.stringify({ mskReplicatorHour: 1, mskReplicatorGb: 0 }),
    );
    const base = (await planJsonOf()).doc as {
      forecast: { costUsd: number; usage: { replicatorHours: number } };
    };
    const { code, doc } = await planJsonOf({ prices: file });
    expect(code).toBe(0);
    const f = (
      doc as {
        forecast: {
          costUsd: number;
          cost: { item: string; usd: number; status: string; source: string }[];
          prices: { unverified: string[] };
        };
      }
    ).forecast;
    const hour = f.cost.find((c) => c.item === 'mskReplicatorHour');
    expect(hour).toMatchObject({ status: 'override', source: file });
    expect(hour?.usd).toBeCloseTo(base.forecast.usage.replicatorHours, 2);
    expect(f.prices.unverified).not.toContain('mskReplicatorHour');
    expect(f.cost.find((c) => c.item === 'mskReplicatorGb')?.usd).toBe(0);
  });

  it('exits 2 on a bad prices file, naming each problem with its path', async () => {
    const file = join(work, 'bad-prices.json');
    writeFileSync(file, JSON.stringify({ lambdaRequest: -1, nope: 2 }));
    const { code, doc, err } = await planJsonOf({ prices: file });
    expect(code).toBe(2);
    expect(doc).toBeNull();
    expect(err).toContain(`${file}: 2 problems in the prices`);
    expect(err).toMatch(/lambdaRequest: must be 0 or more/);
    expect(err).toContain('unknown price "nope"');
  });

  it('prints the forecast in the summary, with UNVERIFIED prices named', async () => {
    const out: string[] = [];
    const code = await runPlanCommand(
      sample,
      { scramUser: 'u' },
      { stdout: (t) => out.push(t), stderr: () => {} },
    );
    expect(code).toBe(0);
    const text = out.join('');
    expect(text).toMatch(
      /^Forecast\n {2}about [\d.]+ h from start to teardown, about \$[\d.]+ at list prices$/m,
    );
    expect(text).toContain('shard default: 2 topics, 12 partitions');
    expect(text).toMatch(/mskReplicatorHour: .* \[UNVERIFIED\]/);
    expect(text).toContain(
      'UNVERIFIED prices (not confirmed on the AWS pricing pages)',
    );
  });
});
