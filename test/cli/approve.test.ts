import {
  CloudFormationClient,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { SendTaskSuccessCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
} from 'vitest';
import { main } from '../../cli/main.ts';
import { createHandler as createRequestHandler } from '../../functions/request-approval/handler.ts';
import type { GateKind } from '../../functions/shared/contracts.ts';
import {
  context,
  EXECUTION_ID,
  type GateFixture,
  kms,
  MIGRATION_ID,
  newTaskToken,
  PLAN_REF,
  sfn,
  startGateFixture,
  TOKEN_KEY_ARN,
  useEnv,
} from '../functions/approval-api/gate-fixture.ts';

const cfn = mockClient(CloudFormationClient);
const sts = mockClient(STSClient);
const CALLER = 'arn:aws:sts::123456789012:assumed-role/Operators/ada';

let fx: GateFixture;
let requestApproval: ReturnType<typeof createRequestHandler>;
let out: string[];
let err: string[];

beforeAll(async () => {
  // The CLI uses the wall clock: the gate opens now.
  fx = await startGateFixture(new Date());
  useEnv(fx.env);
  requestApproval = createRequestHandler({ clock: fx.clock });
});
afterAll(() => fx.stop());
beforeEach(() => {
  cfn.reset();
  sts.reset();
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
  kms.resetHistory();
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'MskCutover',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [
          { OutputKey: 'LedgerTableName', OutputValue: fx.dynamo.tableName },
        ],
      },
    ],
  });
  sts.on(GetCallerIdentityCommand).resolves({
    Arn: CALLER,
    Account: '123456789012',
    UserId: 'AROA:ada',
  });
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((c) => {
    out.push(String(c));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((c) => {
    err.push(String(c));
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

async function openGate(kind: GateKind, app?: string) {
  const taskToken = newTaskToken();
  const { approvalId } = await requestApproval(
    {
      migrationId: MIGRATION_ID,
      planRef: PLAN_REF,
      kind,
      ...(app ? { app } : {}),
      taskToken,
      executionId: EXECUTION_ID,
    },
    context,
  );
  return { approvalId, taskToken };
}

describe('msk-cutover approve / reject', () => {
  it('should approve the open cutover gate as the caller’s IAM identity', async () => {
    const { approvalId, taskToken } = await openGate('cutover', 'order-status');
    const code = await main([
      'approve',
      MIGRATION_ID,
      '--app',
      'order-status',
      '--comment',
      'from the change window',
    ]);
    expect(code).toBe(0);
    expect(sfn).toReceiveCommandTimes(SendTaskSuccessCommand, 1);
    expect(sfn).toReceiveCommandWith(SendTaskSuccessCommand, {
      taskToken,
      output: JSON.stringify({
        decision: 'cutover',
        approver: CALLER,
        comment: 'from the change window',
        approvalId,
      }),
    });
    expect(kms).toReceiveCommandWith(DecryptCommand, {
      EncryptionContext: { migrationId: MIGRATION_ID, approvalId },
    });
    expect(await fx.ledger.getApproval(approvalId)).toMatchObject({
      status: 'DECIDED',
      decision: 'cutover',
      approver: CALLER,
      userAgent: 'msk-cutover-cli',
    });
    expect(out.join('')).toContain(`cutover (as ${CALLER})`);

    // The gate is decided: a second approve finds nothing to decide.
    expect(await main(['approve', MIGRATION_ID, '--app', 'order-status'])).toBe(
      2,
    );
    expect(err.join('')).toContain('no open gate for application order-status');
    expect(sfn).toReceiveCommandTimes(SendTaskSuccessCommand, 1);
  });

  it('should reject a keep-or-rollback gate as a rollback', async () => {
    const { approvalId } = await openGate('keep-or-rollback', 'orders');
    expect(await main(['reject', MIGRATION_ID, '--app', 'orders'])).toBe(0);
    expect(fx.successCalls().at(-1)?.output).toEqual({
      decision: 'rollback',
      approver: CALLER,
      approvalId,
    });
  });

  it('should reject a cutover gate as abort and a teardown gate as keep-replicators', async () => {
    await openGate('cutover', 'customer-notification');
    expect(
      await main(['reject', MIGRATION_ID, '--app', 'customer-notification']),
    ).toBe(0);
    expect(fx.successCalls().at(-1)?.output.decision).toBe('abort');
    await openGate('teardown');
    expect(await main(['reject', MIGRATION_ID])).toBe(0);
    expect(fx.successCalls().at(-1)?.output.decision).toBe('keep-replicators');
  });

  it('should take --decision when the gate offers it, and refuse it otherwise', async () => {
    await openGate('cutover', 'order-status');
    expect(
      await main([
        'approve',
        MIGRATION_ID,
        '--app',
        'order-status',
        '--decision',
        'rollback',
      ]),
    ).toBe(2);
    expect(err.join('')).toContain(
      '--decision rollback is not offered at the cutover gate of order-status; choose one of cutover, postpone, skip, abort',
    );
    expect(sfn).not.toReceiveCommand(SendTaskSuccessCommand);
    expect(
      await main([
        'approve',
        MIGRATION_ID,
        '--app',
        'order-status',
        '--decision',
        'postpone',
      ]),
    ).toBe(0);
    expect(fx.successCalls().at(-1)?.output.decision).toBe('postpone');
  });

  it('should name the open gates when the asked one is not open', async () => {
    await openGate('cutover', 'orders');
    expect(await main(['approve', MIGRATION_ID, '--app', 'billing'])).toBe(2);
    expect(err.join('')).toContain(
      'no open gate for application billing in migration orders-platform; open now: cutover gate of orders',
    );
    expect(sts.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('should report a gate that already closed in Step Functions', async () => {
    sfn
      .on(SendTaskSuccessCommand)
      .rejects(new TaskTimedOut({ message: 'timed out', $metadata: {} }));
    await openGate('cutover', 'orders');
    expect(await main(['approve', MIGRATION_ID, '--app', 'orders'])).toBe(2);
    expect(err.join('')).toContain(
      'the cutover gate of orders already closed (TaskTimedOut)',
    );
  });

  it('should decide a gate whose emailed link expired, re-issuing its request', async () => {
    fx.clock.advance(-30 * 3_600_000);
    const { approvalId, taskToken } = await openGate('cutover', 'orders');
    fx.clock.advance(30 * 3_600_000);
    expect(await main(['approve', MIGRATION_ID, '--app', 'orders'])).toBe(0);
    const old = await fx.ledger.getApproval(approvalId);
    expect(old?.status).toBe('SUPERSEDED');
    const decided = (await fx.ledger.listApprovals(MIGRATION_ID)).find(
      (a) => a.gateOpenedAt === old?.createdAt,
    );
    expect(decided).toMatchObject({
      status: 'DECIDED',
      app: 'orders',
      decision: 'cutover',
      approver: CALLER,
    });
    expect(kms).toReceiveCommandWith(EncryptCommand, {
      KeyId: TOKEN_KEY_ARN,
      EncryptionContext: {
        migrationId: MIGRATION_ID,
        approvalId: decided?.approvalId ?? '',
      },
    });
    expect(sfn).toReceiveCommandWith(SendTaskSuccessCommand, { taskToken });
  });
});
