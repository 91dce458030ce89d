/**
 * The replicator role the stack deploys holds exactly the policies
 * `msk-cutover plan` prints for the same secrets and cluster: the template
 * is synthesized (cdk-nag included, bundling skipped) with the sample
 * plan's secret and cluster as deploy context, its pseudo parameters are
 * resolved for the plan's account and Region, and the result is compared
 * with the `plan --json` output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPlanCommand } from '../../cli/commands/plan.ts';
import { buildApp } from '../../infra/app.ts';

const ROOT = join(import.meta.dirname, '../..');
const PLAN_FILE = join(ROOT, 'events/start-migration.json');
const plan = JSON.parse(readFileSync(PLAN_FILE, 'utf8'));
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

/** Resolves the pseudo parameters and joins of a synthesized value. */
function resolve(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  if ('Ref' in record) {
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': REGION,
      'AWS::AccountId': ACCOUNT,
    };
    const resolved = pseudo[String(record.Ref)];
    if (resolved === undefined) throw new Error(`unresolved ${record.Ref}`);
    return resolved;
  }
  if ('Fn::Join' in record) {
    const [sep, parts] = record['Fn::Join'] as [string, unknown[]];
    return parts.map(resolve).join(sep);
  }
  return Object.fromEntries(
    Object.entries(record).map(([k, v]) => [k, resolve(v)]),
  );
}

function replicatorRole(template: Template): Record<string, unknown> {
  const roles = Object.entries(template.findResources('AWS::IAM::Role'));
  const entry = roles.find(([id]) => id.startsWith('ReplicatorRole'));
  if (entry === undefined) throw new Error('no replicator role');
  return entry[1].Properties;
}

let deployed: Record<string, unknown>;
let anyCluster: Record<string, unknown>;
let printed: { policy: unknown; trustPolicy: unknown };

beforeAll(async () => {
  const scoped = buildApp(
    new App({
      outdir: join(ROOT, 'test-output', 'cdk', 'replicator-role'),
      context: {
        'aws:cdk:bundling-stacks': [],
        mskClusterArns: plan.target.mskClusterArn,
        replicatorSecretArnPrefixes: plan.source.saslScram.secretArn,
      },
    }),
    ROOT,
  );
  // Synthesis runs cdk-nag: it throws while a finding is unacknowledged.
  scoped.app.synth();
  deployed = replicatorRole(Template.fromStack(scoped.stack));

  const unscoped = buildApp(
    new App({
      outdir: join(ROOT, 'test-output', 'cdk', 'replicator-role-any'),
      context: { 'aws:cdk:bundling-stacks': [] },
    }),
    ROOT,
  );
  unscoped.app.synth();
  anyCluster = replicatorRole(Template.fromStack(unscoped.stack));

  let stdout = '';
  const code = await runPlanCommand(
    PLAN_FILE,
    { json: true, scramUser: 'msk-replicator' },
    { stdout: (t) => (stdout += t), stderr: () => {} },
  );
  expect(code).toBe(0);
  printed = JSON.parse(stdout).rolePolicy;
}, 120_000);

describe('replicator role', () => {
  it('deploys exactly the permissions policy `plan` prints', () => {
    const policies = resolve(deployed.Policies) as {
      PolicyDocument: unknown;
    }[];
    expect(policies).toHaveLength(1);
    expect(policies[0]?.PolicyDocument).toEqual(printed.policy);
  });

  it('deploys exactly the trust policy `plan` prints, bound to the account', () => {
    expect(resolve(deployed.AssumeRolePolicyDocument)).toEqual(
      printed.trustPolicy,
    );
    expect(printed.trustPolicy).toMatchObject({
      Statement: [
        {
          Principal: { Service: 'kafka.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
        },
      ],
    });
  });

  it('grants WriteDataIdempotently on the cluster, never on topics', () => {
    const statements = (
      printed.policy as {
        Statement: { Sid: string; Action: string[]; Resource: string[] }[];
      }
    ).Statement;
    const holding = statements.filter((s) =>
      s.Action.includes('kafka-cluster:WriteDataIdempotently'),
    );
    expect(holding.map((s) => s.Resource)).toEqual([
      [plan.target.mskClusterArn],
    ]);
  });

  it('attaches no managed policy and, without cluster context, any cluster of the account', () => {
    expect(deployed.ManagedPolicyArns).toBeUndefined();
    const document = resolve(anyCluster.Policies) as {
      PolicyDocument: { Statement: { Sid: string; Resource: string[] }[] };
    }[];
    const cluster = document[0]?.PolicyDocument.Statement.find(
      (s) => s.Sid === 'TargetCluster',
    );
    expect(cluster?.Resource).toEqual([
      `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/*`,
    ]);
  });
});
