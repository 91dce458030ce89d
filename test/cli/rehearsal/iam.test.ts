/**
 * IAM enforcement of the rehearsal: the policies come from the synthesized
 * stack, a call its caller's role does not allow fails as AWS fails it, and
 * the stack's resource policies let AWS's own services do what the stack
 * relies on (CloudWatch alarms publishing to the encrypted topic).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IamAuthorizer } from '../../../cli/rehearsal/iam.ts';
import {
  type ResolvedPolicies,
  resolvePolicies,
  type SynthesizedStack,
  synthesizeStack,
} from '../../../cli/rehearsal/iam-policies.ts';
import {
  grantedActions,
  reviewGrants,
} from '../../../cli/rehearsal/least-privilege.ts';
import { stopLocalLedger } from '../../../cli/rehearsal/local-aws.ts';
import { rehearse } from '../../../cli/rehearsal/rehearse.ts';
import { loadScenario } from '../../../cli/rehearsal/scenario.ts';

const ROOT = join(import.meta.dirname, '../../..');
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const plan: unknown = JSON.parse(
  readFileSync('events/start-migration.json', 'utf8'),
);

/**
 * Takes `action` out of every statement of `principal`'s identity policies
 * (a statement left with no action goes).
 */
function without(principal: string, action: string) {
  return (policies: ResolvedPolicies) => {
    for (const p of policies.principals[principal]?.policies ?? []) {
      const doc = p.policy as { Statement: { Action: string | string[] }[] };
      doc.Statement = doc.Statement.map((st) => ({
        ...st,
        Action: [st.Action].flat().filter((a) => a !== action),
      })).filter((st) => st.Action.length > 0);
    }
  };
}

describe('IAM-enforced rehearsal', { timeout: 120_000 }, () => {
  afterAll(async () => {
    await stopLocalLedger();
  });

  it('should authorize every call of the sample rehearsal and deny none', async () => {
    const r = await rehearse({ plan, scenario: loadScenario('happy-path') });
    expect(r.mismatches).toEqual([]);
    expect(r.iam.enforced).toBe(true);
    expect(r.iam.checked).toBeGreaterThan(0);
    expect(r.iam.denied).toEqual([]);
    // Calls per principal add up to the calls, key by key.
    const sums: Record<string, number> = {};
    for (const [principal, calls] of Object.entries(
      r.accounting.awsCallsByPrincipal,
    )) {
      if (principal === 'migration' || principal === 'app-cutover') continue;
      for (const [k, n] of Object.entries(calls)) sums[k] = (sums[k] ?? 0) + n;
    }
    expect(sums).toEqual(r.accounting.awsCalls);
    expect(r.accounting.awsCallsByPrincipal['validate-plan']).toMatchObject({
      'SNS.ListSubscriptionsByTopic': 1,
      'SNS.Subscribe': 1,
    });
    expect(r.accounting.awsCallsByPrincipal.migration).toMatchObject({
      'Lambda.Invoke': expect.any(Number),
      'SFN.StartExecution': 3,
    });
    expect(r.accounting.awsCallsByPrincipal['app-cutover']).toHaveProperty(
      'Lambda.Invoke',
    );
  });

  // Each grant below was missing from the first release (or is a stack IAM
  // fix): taking it out of the synthesized policy fails the migration with
  // AWS's denial naming the role, the action and the resource.
  it.each([
    {
      principal: 'validate-plan',
      action: 'sns:ListSubscriptionsByTopic',
      error: 'AuthorizationErrorException',
    },
    {
      principal: 'validate-plan',
      action: 'sns:Subscribe',
      error: 'AuthorizationErrorException',
    },
    {
      principal: 'create-replicators',
      action: 'logs:CreateLogDelivery',
      error: 'ForbiddenException',
    },
    {
      principal: 'create-replicators',
      action: 'kafka:GetBootstrapBrokers',
      error: 'ForbiddenException',
    },
    {
      principal: 'create-replicators',
      action: 'iam:PassRole',
      error: 'ForbiddenException',
    },
    {
      principal: 'request-approval',
      action: 'kms:GenerateDataKey',
      error: 'AuthorizationErrorException',
    },
  ])(
    'should fail the migration when $principal may not $action',
    async ({ principal, action, error }) => {
      const r = await rehearse({
        plan,
        scenario: loadScenario('happy-path'),
        editPolicies: without(principal, action),
      });
      expect(r.outcome).toBe('FAILED');
      expect(r.error).toBe(error);
      expect(r.cause).toContain(
        `assumed-role/msk-cutover-${principal}/msk-cutover-${principal} is not authorized to perform: ${action} on resource: `,
      );
      expect(r.iam.denied[0]).toMatchObject({ principal, action });
      expect(r.mismatches.join('\n')).toContain(
        `IAM denied ${r.iam.denied.length} request(s), first: ${principal} ${action}`,
      );
    },
  );

  it('should fail a Task whose state machine role may not invoke its function, as Step Functions does', async () => {
    const events: string[] = [];
    const r = await rehearse({
      plan,
      scenario: loadScenario('happy-path'),
      editPolicies: without('migration', 'lambda:InvokeFunction'),
      onTimeline: (t) => events.push(t.text),
    });
    expect(r.outcome).toBe('FAILED');
    // ValidatePlan's Task fails with Lambda.AWSLambdaException (retried by
    // the standard retrier, then caught), and so does RecordFailure's.
    expect(events.join('\n')).toContain('Lambda.AWSLambdaException');
    expect(r.iam.denied.length).toBeGreaterThan(0);
    expect(r.iam.denied.every((d) => d.principal === 'migration')).toBe(true);
    expect(r.iam.denied[0]).toMatchObject({
      action: 'lambda:InvokeFunction',
      resource: expect.stringMatching(/:function:msk-cutover-validate-plan$/),
    });
  });

  it('should report IAM as not enforced when the rehearsal turns it off', async () => {
    const r = await rehearse({
      plan,
      scenario: loadScenario('happy-path'),
      iam: false,
    });
    expect(r.iam).toEqual({ enforced: false, checked: 0, denied: [] });
  });
});

describe('least privilege review', () => {
  it('should report a grant no scenario used and that nobody reviewed, and a stale review', async () => {
    const a = await IamAuthorizer.create({
      projectRoot: ROOT,
      account: ACCOUNT,
      region: REGION,
      local: { account: ACCOUNT, region: REGION },
      names: {},
      editPolicies: (policies) => {
        policies.principals['validate-plan']?.policies.push({
          name: 'extra',
          policy: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'sns:DeleteTopic', Resource: '*' },
            ],
          },
        });
      },
    });
    // Every grant used, except the one added above.
    const exercised = new Map<string, Set<string>>();
    for (const p of a.principals()) {
      exercised.set(p, new Set(await grantedActions(a.identityPolicies(p))));
    }
    exercised.get('validate-plan')?.delete('sns:DeleteTopic');
    const review = await reviewGrants(a, exercised, {
      'validate-plan': { 'sns:CreateTopic': 'not granted any more' },
    });
    expect(review).toEqual({
      unexercised: ['validate-plan: sns:DeleteTopic'],
      stale: ['validate-plan: sns:CreateTopic'],
    });
  }, 120_000);
});

describe('the stack lets AWS services do what it relies on', () => {
  let stack: SynthesizedStack;
  let policies: ResolvedPolicies;
  const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT}:msk-cutover-notifications`;
  const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/data`;
  const alarm = (account: string) =>
    `arn:aws:cloudwatch:${REGION}:${account}:alarm:msk-cutover-migration-failed`;

  beforeAll(async () => {
    stack = await synthesizeStack(ROOT);
    policies = resolvePolicies(stack, {
      account: ACCOUNT,
      region: REGION,
      bindings: {
        [stack.named.Notifications as string]: {
          ref: topicArn,
          attributes: { TopicName: 'msk-cutover-notifications' },
        },
        [stack.named.DataKey as string]: {
          ref: 'data',
          attributes: { Arn: keyArn },
        },
      },
    });
  }, 120_000);

  /** A request by a service principal, judged by the resource policy alone. */
  async function byService(
    action: string,
    resource: string,
    sourceAccount: string,
  ): Promise<string> {
    const result = await runSimulation(
      {
        request: {
          principal: 'cloudwatch.amazonaws.com',
          action,
          resource: { resource, accountId: ACCOUNT },
          contextVariables: {
            'aws:SecureTransport': 'true',
            'aws:SourceAccount': sourceAccount,
            'aws:SourceArn': alarm(sourceAccount),
          },
        },
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: policies.resourcePolicies.get(resource),
      },
      {},
    );
    return result.resultType === 'error'
      ? JSON.stringify(result.errors)
      : result.overallResult;
  }

  it('should let this account’s CloudWatch alarms publish to the topic, and no other account’s', async () => {
    expect(await byService('sns:Publish', topicArn, ACCOUNT)).toBe('Allowed');
    expect(await byService('sns:Publish', topicArn, '999999999999')).not.toBe(
      'Allowed',
    );
  });

  it('should let CloudWatch use the topic’s key for this account’s alarms only (aws:SourceAccount)', async () => {
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      expect(await byService(action, keyArn, ACCOUNT)).toBe('Allowed');
      expect(await byService(action, keyArn, '999999999999')).not.toBe(
        'Allowed',
      );
    }
  });
});
