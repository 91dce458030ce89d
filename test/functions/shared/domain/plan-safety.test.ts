/**
 * Plan strings that cannot hurt (issue: inputs that cannot hurt anyone):
 * every case an attacker or a careless user tried, refused with the JSON
 * path, and the generated script safe even for strings that got past.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlanCommand } from '../../../../cli/commands/plan.ts';
import { planFiles, planReport } from '../../../../cli/format/plan-report.ts';
import { PlanSchema } from '../../../../functions/shared/domain/plan.ts';
import { buildReplicatorRequests } from '../../../../functions/shared/domain/replicator-config.ts';
import {
  commentText,
  shellQuote,
  unsafeCharacter,
} from '../../../../functions/shared/domain/safe-text.ts';
import {
  type RequiredAcl,
  sourceAclsScript,
} from '../../../../functions/shared/domain/source-acls.ts';
import {
  type PlanIssue,
  validatePlan,
} from '../../../../functions/shared/domain/validate.ts';

const SAMPLE_FILE = join(
  import.meta.dirname,
  '../../../../events/start-migration.json',
);
const sampleText = readFileSync(SAMPLE_FILE, 'utf8');
const sample = () => JSON.parse(sampleText);
const work = mkdtempSync(join(tmpdir(), 'msk-cutover-safety-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function issuesOf(input: unknown): PlanIssue[] {
  const result = validatePlan(input);
  if (result.ok) throw new Error('expected the plan to be refused');
  return result.issues;
}

function issueAt(input: unknown, path: string): string {
  const issues = issuesOf(input);
  const found = issues.find((i) => i.path === path);
  if (found === undefined) {
    throw new Error(
      `no issue at ${path}: ${JSON.stringify(issues.slice(0, 5))}`,
    );
  }
  return found.message;
}

describe('characters no plan string may hold', () => {
  it.each([
    ['a newline', 'onprem\nrm -rf ~', 'U+000A'],
    ['a carriage return', 'onprem\r', 'U+000D'],
    ['a terminal escape', 'onprem\u001b[2K', 'U+001B'],
    ['DEL', 'onprem\u007f', 'U+007F'],
    ['an 8-bit CSI', 'onprem\u009b2K', 'U+009B'],
    ['a right-to-left override', 'onprem\u202egpj.exe', 'U+202E'],
    ['a bidi isolate', 'onprem\u2066', 'U+2066'],
    ['a zero-width space', 'on\u200bprem', 'U+200B'],
    ['a byte order mark', '\ufeffonprem', 'U+FEFF'],
    ['a line separator', 'onprem\u2028', 'U+2028'],
    ['an unpaired surrogate', 'onprem\ud800', 'U+D800'],
  ])('refuses %s in source.name with its path', (_, name, codePoint) => {
    const plan = sample();
    plan.source.name = name;
    expect(issueAt(plan, 'source.name')).toContain(`(${codePoint})`);
  });

  it('refuses a newline in a consumer-group pattern', () => {
    const plan = sample();
    plan.replication.consumerGroups[0] = 'order-status\ntouch /tmp/pwned';
    expect(issueAt(plan, 'replication.consumerGroups[0]')).toBe(
      'contains a control character (U+000A) at position 12; plan strings must be printable text on one line',
    );
  });

  it('refuses hidden characters in every kind of field', () => {
    const plan = sample();
    plan.applications[0].owners[0] = 'orders-team\u202e@example.com';
    plan.applications[1].produces[0] = 'order\u200b_status';
    plan.replication.topics[1] = 'order_status\u0000';
    plan.cutoverOrder[0] = 'order-status\u001b';
    const paths = issuesOf(plan).map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'applications[0].owners[0]',
        'applications[1].produces[0]',
        'replication.topics[1]',
        'cutoverOrder[0]',
      ]),
    );
  });

  it('refuses a field name with a control character without echoing it raw', () => {
    const plan = sample();
    plan.approvals['x\u001b]0;owned\u0007'] = 1;
    const issues = issuesOf(plan);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('approvals');
    expect(issues[0]?.message).toContain('U+001B');
    expect(JSON.stringify(issues).includes('\u001b')).toBe(false);
  });

  it('keeps printable non-ASCII text where people read it', () => {
    const plan = sample();
    plan.source.name = 'Rechenzentrum Köln – Kafka';
    expect(validatePlan(plan).ok).toBe(true);
  });
});

describe('limits of the fields plan strings end up in', () => {
  it('refuses a 1,100-character source.name at its path', () => {
    const plan = sample();
    plan.source.name = 'x'.repeat(1100);
    expect(issueAt(plan, 'source.name')).toBe(
      'must be at most 1024 character(s) long',
    );
  });

  it('refuses a source.name that makes the replicator Description longer than 1,024', () => {
    const plan = sample();
    plan.source.name = 'x'.repeat(1000);
    const [request] = buildReplicatorRequests(PlanSchema.parse(plan), {
      sourceClusterId: 'lkc-abc123',
      serviceExecutionRoleArn: 'arn:aws:iam::123456789012:role/r',
    });
    const longest = Math.max(
      ...buildReplicatorRequests(PlanSchema.parse(plan), {
        sourceClusterId: 'lkc-abc123',
        serviceExecutionRoleArn: 'arn:aws:iam::123456789012:role/r',
      }).map((r) => r.input.Description?.length ?? 0),
    );
    expect(request?.input.Description).toContain('x'.repeat(1000));
    expect(longest).toBeGreaterThan(1024);
    expect(issueAt(plan, 'source.name')).toBe(
      `makes the Description of replicator \`msk-cutover-orders-platform-rev\` ${longest} characters; CreateReplicator allows at most 1024: shorten source.name to at most ${1000 - (longest - 1024)} characters`,
    );
    plan.source.name = 'x'.repeat(1000 - (longest - 1024));
    expect(validatePlan(plan).ok).toBe(true);
  });

  it('refuses a 10 MB string quickly, with its size, before any other check', () => {
    const plan = sample();
    plan.source.name = 'x'.repeat(10_000_000);
    expect(issuesOf(plan)).toEqual([
      {
        path: 'source.name',
        message:
          'is 10000000 characters long; no plan field allows more than 4096',
      },
    ]);
  });

  it.each([
    [
      'cloudWatchLogGroup',
      { cloudWatchLogGroup: 'my group!*<>' },
      'replication.logDelivery.cloudWatchLogGroup',
      'is not a CloudWatch Logs log group name',
    ],
    [
      'firehoseDeliveryStream',
      { firehoseDeliveryStream: 'my stream!' },
      'replication.logDelivery.firehoseDeliveryStream',
      'is not a Firehose delivery stream name',
    ],
    [
      's3.bucket',
      { s3: { bucket: 'NOT A BUCKET!!' } },
      'replication.logDelivery.s3.bucket',
      '"NOT A BUCKET!!" is not an S3 bucket name: it may hold only lower-case letters, digits, "." and "-"',
    ],
    [
      's3.bucket (IP address)',
      { s3: { bucket: '192.168.5.4' } },
      'replication.logDelivery.s3.bucket',
      'must not be formatted as an IP address',
    ],
    [
      's3.bucket (adjacent periods)',
      { s3: { bucket: 'logs..replicator' } },
      'replication.logDelivery.s3.bucket',
      'must not hold two adjacent periods',
    ],
  ])('refuses a bad %s', (_, delivery, path, fragment) => {
    const plan = sample();
    plan.replication.logDelivery = delivery;
    expect(issueAt(plan, path)).toContain(fragment);
  });

  it('accepts the log-delivery names AWS accepts', () => {
    const plan = sample();
    plan.replication.logDelivery = {
      cloudWatchLogGroup: '/aws/vendedlogs/msk#replicator_1.x-y',
      firehoseDeliveryStream: 'replicator.logs_1-a',
      s3: { bucket: 'replicator-logs.example-1', prefix: 'msk/orders/' },
    };
    expect(validatePlan(plan).ok).toBe(true);
  });

  it.each(['.', '..'])('refuses the topic name %s', (topic) => {
    const plan = sample();
    plan.applications[0].produces = [topic];
    expect(issueAt(plan, 'applications[0].produces[0]')).toBe(
      `\`${topic}\` is not a Kafka topic name: Kafka refuses "." and ".."`,
    );
  });

  it.each([
    [
      'source.clusterId',
      (p: ReturnType<typeof sample>) => (p.source.clusterId = ''),
    ],
    [
      'source.clusterId',
      (p: ReturnType<typeof sample>) => (p.source.clusterId = 'id with spaces'),
    ],
    [
      'serviceExecutionRoleArn',
      (p: ReturnType<typeof sample>) =>
        (p.serviceExecutionRoleArn = 'not an arn'),
    ],
    [
      'serviceExecutionRoleArn',
      (p: ReturnType<typeof sample>) =>
        (p.serviceExecutionRoleArn = `arn:aws:iam::123456789012:role/${'r'.repeat(65)}`),
    ],
  ])('refuses a bad %s', (path, change) => {
    const plan = sample();
    change(plan);
    expect(issuesOf(plan).map((i) => i.path)).toContain(path);
  });

  it('bounds every list', () => {
    const plan = sample();
    plan.approvals.notifyEmails = Array.from(
      { length: 101 },
      (_, i) => `p${i}@example.com`,
    );
    expect(issueAt(plan, 'approvals.notifyEmails')).toBe(
      'must have at most 100 item(s)',
    );
  });

  it('refuses a document nested 5,000 deep with a path, without overflowing', () => {
    const plan = sample();
    let deep: unknown = 'bottom';
    for (let i = 0; i < 5000; i++) deep = [deep];
    plan.rehearsal = { backlogRecords: deep };
    const issues = issuesOf(plan);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toBe(
      'is nested more than 32 levels deep; no plan field is',
    );
    expect(issues[0]?.path.startsWith('rehearsal.backlogRecords[0]')).toBe(
      true,
    );
  });
});

describe('numbers with documented bounds', () => {
  it('refuses an approval link that is dead on arrival, accepts 5 minutes', () => {
    const plan = sample();
    plan.approvals.linkTtlHours = 0.0001;
    expect(issueAt(plan, 'approvals.linkTtlHours')).toBe(
      'must be at least 5 minutes (0.0833 hours): a shorter approval link expires before anyone can open the email',
    );
    plan.approvals.linkTtlHours = 5 / 60;
    expect(validatePlan(plan).ok).toBe(true);
  });

  it('refuses a gate timeout under an hour and a readiness wait under an hour', () => {
    const plan = sample();
    plan.approvals.gateTimeoutHours = 0.5;
    plan.readiness.maxWaitHours = 0.1;
    const paths = issuesOf(plan).map((i) => i.path);
    expect(paths).toEqual([
      'readiness.maxWaitHours',
      'approvals.gateTimeoutHours',
    ]);
  });

  it('bounds readiness.stallMinutes and types failWhenStalled', () => {
    const plan = sample();
    plan.readiness.stallMinutes = 2;
    plan.readiness.failWhenStalled = 'yes';
    expect(issuesOf(plan).map((i) => i.path)).toEqual([
      'readiness.stallMinutes',
      'readiness.failWhenStalled',
    ]);
    plan.readiness.stallMinutes = 10_081;
    plan.readiness.failWhenStalled = true;
    expect(issuesOf(plan).map((i) => i.path)).toEqual([
      'readiness.stallMinutes',
    ]);
    plan.readiness.stallMinutes = 5;
    expect(validatePlan(plan).ok).toBe(true);
  });

  it('bounds thresholds and rehearsal parameters', () => {
    const plan = sample();
    plan.readiness.maxMessageLag = 1e15;
    plan.rehearsal = { creatingMinutes: 1e9 };
    const paths = issuesOf(plan).map((i) => i.path);
    expect(paths).toEqual([
      'readiness.maxMessageLag',
      'rehearsal.creatingMinutes',
    ]);
  });
});

describe('consumer groups CloudWatch cannot report', () => {
  it.each([
    ['payments:v2', 'contains ":"'],
    ['zahlungsströme', 'contains non-ASCII characters'],
    ['支付', 'contains non-ASCII characters'],
  ])('refuses the application group %s', (group, fragment) => {
    const plan = sample();
    plan.replication.consumerGroups = ['.*'];
    plan.applications[1].consumerGroups = [group];
    const message = issueAt(plan, 'applications[1].consumerGroups[0]');
    expect(message).toContain(fragment);
    expect(message).toContain('readiness would wait');
  });

  it('still replicates such groups through patterns', () => {
    const plan = sample();
    plan.replication.consumerGroups = ['.*'];
    expect(validatePlan(plan).ok).toBe(true);
  });
});

describe('source-acls.sh is safe by construction', () => {
  /**
   * Runs a script with a `kafka-acls.sh` on PATH that records its
   * arguments, one NUL-terminated list per call.
   */
  function runScript(script: string): string[][] {
    const dir = mkdtempSync(join(work, 'run-'));
    const log = join(dir, 'calls');
    writeFileSync(
      join(dir, 'kafka-acls.sh'),
      `#!/bin/sh\nfor a in "$@"; do printf '%s\\0' "$a" >> '${log}'; done\nprintf '\\n' >> '${log}'\n`,
    );
    chmodSync(join(dir, 'kafka-acls.sh'), 0o755);
    writeFileSync(join(dir, 'source-acls.sh'), script);
    execFileSync('sh', [join(dir, 'source-acls.sh')], {
      cwd: dir,
      env: { PATH: `${dir}:${process.env.PATH}` },
    });
    if (!existsSync(log)) return [];
    return readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\0').slice(0, -1));
  }

  it('keeps hostile strings inside comments and arguments, even past validation', () => {
    const sentinel = join(work, 'pwned');
    const hostile = `x\ntouch ${sentinel}\n#`;
    const acls: RequiredAcl[] = [
      {
        resourceType: 'GROUP',
        resourceName: `g'; touch ${sentinel}; '`,
        patternType: 'LITERAL',
        operation: 'Read',
        reason: hostile,
      },
      {
        resourceType: 'TOPIC',
        resourceName: `$(touch ${sentinel})`,
        patternType: 'PREFIXED',
        operation: 'Write',
        reason: `\u001b[2K${hostile}`,
      },
    ];
    const script = sourceAclsScript({
      migrationId: 'm',
      sourceName: hostile,
      acls,
      principal: `u\`touch ${sentinel}\``,
      bootstrap: `k1:9096;touch ${sentinel}`,
    });
    const calls = runScript(script);
    expect(existsSync(sentinel)).toBe(false);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toContain(`g'; touch ${sentinel}; '`);
    expect(calls[0]).toContain(`User:u\`touch ${sentinel}\``);
    expect(calls[0]).toContain(`k1:9096;touch ${sentinel}`);
    expect(calls[1]).toContain(`$(touch ${sentinel})`);
    for (const line of script.split('\n')) {
      expect(unsafeCharacter(line)).toBeUndefined();
      expect(
        line === '' ||
          line.startsWith('#') ||
          line === 'set -eu' ||
          line.startsWith('kafka-acls.sh '),
      ).toBe(true);
    }
  });

  it('writes the sample plan script so that it runs one call per resource', () => {
    const parsed = validatePlan(sample());
    if (!parsed.ok) throw new Error('sample invalid');
    const report = planReport(parsed.plan, parsed.warnings, {
      scramUser: 'msk-replicator',
    });
    const script = planFiles(parsed.plan, report).get('source-acls.sh') ?? '';
    const calls = runScript(script);
    expect(calls).toHaveLength(report.sourceAcls.commands.length);
    expect(calls[0]?.slice(-2)).toEqual(['--topic', 'orders']);
  });

  it('quotes for POSIX sh and escapes comment text', () => {
    expect(shellQuote('orders')).toBe('orders');
    expect(shellQuote("it's")).toBe(`'it'"'"'s'`);
    expect(shellQuote('*')).toBe("'*'");
    expect(commentText('a\nb\u202e')).toBe('a\\u000Ab\\u202E');
  });
});

describe('CLI options get the plan checks', () => {
  async function plan(options: Record<string, string>) {
    let stderr = '';
    let stdout = '';
    const code = await runPlanCommand(
      SAMPLE_FILE,
      { scramUser: 'msk-replicator', ...options },
      { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) },
    );
    return { code, stderr, stdout };
  }

  it('refuses --role-arn that is not a role ARN', async () => {
    const { code, stderr, stdout } = await plan({ roleArn: 'not an arn' });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'msk-cutover plan: --role-arn: "not an arn" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)\n',
    );
  });

  it('refuses an empty --source-cluster-id', async () => {
    const { code, stderr } = await plan({ sourceClusterId: '' });
    expect(code).toBe(2);
    expect(stderr).toContain(
      '--source-cluster-id: "" is not a Kafka cluster id',
    );
  });

  it('accepts good values', async () => {
    const { code } = await plan({
      roleArn: 'arn:aws:iam::123456789012:role/service-role/replicator',
      sourceClusterId: 'MkU3OEVBNTcwNTJENDM2Qg',
    });
    expect(code).toBe(0);
  });
});
