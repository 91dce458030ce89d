/**
 * `msk-cutover approve|reject <migration> --wave NAME` at a wave's gates
 * (plans with `cutoverWaves`), and `status` showing waves: request-approval
 * opens the gates on dynalite, the CLI decides through the shared decide
 * (ledger first, then SendTaskSuccess with the subset).
 */
import { readFileSync } from 'node:fs';
import {
  CloudFormationClient,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  SendTaskSuccessCommand,
} from '@aws-sdk/client-sfn';
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
import type { PlanRef } from '../../functions/shared/contracts.ts';
import type { WaveAppResult } from '../../functions/shared/wave-contracts.ts';
import {
  context,
  EXECUTION_ID,
  type GateFixture,
  newTaskToken,
  s3,
  sfn,
  startGateFixture,
  useEnv,
} from '../functions/approval-api/gate-fixture.ts';

const cfn = mockClient(CloudFormationClient);
const sts = mockClient(STSClient);
const CALLER = 'arn:aws:sts::123456789012:assumed-role/Operators/ada';
const SM_ARN =
  'arn:aws:states:us-east-1:123456789012:stateMachine:MskCutover-migration';
const WAVE_PLAN = readFileSync(
  new URL('../../events/start-migration-waves.json', import.meta.url),
  'utf-8',
);
const MIGRATION = 'orders-platform-waves';
const REF: PlanRef = {
  bucket: 'msk-cutover-plans',
  key: 'orders-platform-waves.json',
  versionId: 'v-1',
};

let fx: GateFixture;
let requestApproval: ReturnType<typeof createRequestHandler>;
let out: string[];
let err: string[];

beforeAll(async () => {
  fx = await startGateFixture(new Date());
  useEnv(fx.env);
  requestApproval = createRequestHandler({ clock: fx.clock });
  s3.on(GetObjectCommand, {
    Bucket: REF.bucket,
    Key: REF.key,
    VersionId: REF.versionId,
  }).resolves({
    Body: { transformToString: async () => WAVE_PLAN } as never,
  });
  await fx.ledger.putApps(MIGRATION, [
    'order-status',
    'orders',
    'customer-notification',
  ]);
});
afterAll(() => fx.stop());
beforeEach(() => {
  cfn.reset();
  sts.reset();
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'MskCutover',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [
          { OutputKey: 'LedgerTableName', OutputValue: fx.dynamo.tableName },
          { OutputKey: 'StateMachineArn', OutputValue: SM_ARN },
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

async function openWaveGate(
  kind: 'wave-cutover' | 'wave-keep-or-rollback',
  wave: string,
  outcomes?: WaveAppResult[],
) {
  const taskToken = newTaskToken();
  const { approvalId } = await requestApproval(
    {
      migrationId: MIGRATION,
      planRef: REF,
      kind,
      wave,
      ...(outcomes ? { outcomes } : {}),
      taskToken,
      executionId: EXECUTION_ID,
    },
    context,
  );
  return { approvalId, taskToken };
}

const sent = () =>
  JSON.parse(
    String(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output),
  );
const state = async (app: string) =>
  (await fx.ledger.getApp(MIGRATION, app))?.state;

describe('msk-cutover approve|reject --wave', () => {
  it('refuses a bad subset with its JSON path, decides nothing, then cuts the wave over skipping one application', async () => {
    const { approvalId, taskToken } = await openWaveGate(
      'wave-cutover',
      'order-flow',
    );
    const bad = await main([
      'approve',
      MIGRATION,
      '--wave',
      'order-flow',
      '--skip',
      'orders,customer-notification,orders',
    ]);
    expect(bad).toBe(2);
    const problem = err.join('');
    expect(problem).toContain(
      '$.skip[1]: customer-notification is not an application of this wave',
    );
    expect(problem).toContain('$.skip[2]: orders is named twice');
    expect(sfn).toReceiveCommandTimes(SendTaskSuccessCommand, 0);
    expect((await fx.ledger.getApproval(approvalId))?.status).toBe('OPEN');
    expect(await state('orders')).toBe('ON_SOURCE');

    const code = await main([
      'approve',
      MIGRATION,
      '--wave',
      'order-flow',
      '--skip',
      'orders',
    ]);
    expect(code).toBe(0);
    expect(sfn).toReceiveCommandWith(SendTaskSuccessCommand, { taskToken });
    expect(sent()).toEqual({
      decision: 'cutover',
      approver: CALLER,
      approvalId,
      skip: ['orders'],
    });
    expect(await state('orders')).toBe('SKIPPED');
    expect(await state('order-status')).toBe('CUTOVER_APPROVED');
    expect(await state('customer-notification')).toBe('ON_SOURCE');
    expect(out.join('')).toContain(
      'Decided the wave-cutover gate of wave order-flow of migration orders-platform-waves: cutover, skipping orders',
    );
  });

  it('reject at a wave keep-or-rollback gate rolls back every application that moved', async () => {
    // order-status was approved above; verification moved it on.
    await fx.ledger.transitionApp(
      MIGRATION,
      'order-status',
      ['CUTOVER_APPROVED'],
      'ON_TARGET',
    );
    const { approvalId } = await openWaveGate(
      'wave-keep-or-rollback',
      'order-flow',
      [
        { app: 'order-status', outcome: 'verified' },
        { app: 'orders', outcome: 'skipped' },
      ],
    );
    expect(await main(['reject', MIGRATION, '--wave', 'order-flow'])).toBe(0);
    expect(sent()).toEqual({
      decision: 'keep',
      approver: CALLER,
      approvalId,
      rollback: ['order-status'],
    });
    expect(await state('order-status')).toBe('ROLLBACK_APPROVED');
    expect(await state('orders')).toBe('SKIPPED');
  });

  it('keeping an application whose cutover was not verified needs a comment, then records it as moved and kept', async () => {
    await fx.ledger.transitionApp(
      MIGRATION,
      'customer-notification',
      ['ON_SOURCE'],
      'CUTOVER_APPROVED',
    );
    const { approvalId } = await openWaveGate(
      'wave-keep-or-rollback',
      'notifications',
      [{ app: 'customer-notification', outcome: 'unverified' }],
    );
    expect(await main(['approve', MIGRATION, '--wave', 'notifications'])).toBe(
      2,
    );
    expect(err.join('')).toContain(
      'comment: required to keep customer-notification',
    );
    expect(sfn).toReceiveCommandTimes(SendTaskSuccessCommand, 0);
    const code = await main([
      'approve',
      MIGRATION,
      '--wave',
      'notifications',
      '--comment',
      'its consumers run on MSK, checked in the console',
    ]);
    expect(code).toBe(0);
    expect(sent()).toMatchObject({
      decision: 'keep',
      rollback: [],
      approvalId,
    });
    expect(await state('customer-notification')).toBe('KEPT_ON_TARGET');
  });

  it('status shows each application with its wave and an open wave gate with --wave', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    await fx.ledger.startMigration({
      migrationId: MIGRATION,
      planDigest: 'd',
      planRef: REF,
      status: 'RUNNING',
      startedAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    });
    await openWaveGate('wave-cutover', 'notifications');
    expect(await main(['status', MIGRATION])).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/order-status +ROLLBACK_APPROVED .* wave order-flow/);
    expect(text).toMatch(
      /customer-notification +KEPT_ON_TARGET .* wave notifications/,
    );
    expect(text).toContain('wave-cutover wave notifications: open since');
    expect(text).toContain(
      `decide: msk-cutover approve|reject ${MIGRATION} --wave notifications [--skip a,b]`,
    );
    expect(text).toContain(
      'wave-cutover wave order-flow: cutover (skip orders) by',
    );
  });
});
