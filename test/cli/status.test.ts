import {
  CloudFormationClient,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
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
import type { MigrationStatus } from '../../cli/commands/status.ts';
import { main } from '../../cli/main.ts';
import { createHandler as createRequestHandler } from '../../functions/request-approval/handler.ts';
import {
  context,
  EXECUTION_ID,
  type GateFixture,
  MIGRATION_ID,
  newTaskToken,
  PLAN_REF,
  sfn,
  startGateFixture,
  useEnv,
} from '../functions/approval-api/gate-fixture.ts';
import { firstActiveCharacter } from '../support/terminal.ts';

const cfn = mockClient(CloudFormationClient);
const SM_ARN =
  'arn:aws:states:us-east-1:123456789012:stateMachine:MskCutover-migration';
const HOUR = 3_600_000;

let fx: GateFixture;
let out: string[];
let err: string[];
let cutoverId: string;
let expiredId: string;

beforeAll(async () => {
  fx = await startGateFixture(new Date());
  useEnv(fx.env);
  const requestApproval = createRequestHandler({ clock: fx.clock });
  await fx.ledger.putApps(MIGRATION_ID, [
    'order-status',
    'orders',
    'customer-notification',
  ]);
  await fx.ledger.transitionApp(
    MIGRATION_ID,
    'order-status',
    ['ON_SOURCE'],
    'CUTOVER_APPROVED',
  );
  const open = (app: string) =>
    requestApproval(
      {
        migrationId: MIGRATION_ID,
        planRef: PLAN_REF,
        kind: 'cutover',
        app,
        taskToken: newTaskToken(),
        executionId: EXECUTION_ID,
      },
      context,
    );
  // A gate opened 30 hours ago: its 24-hour link has expired.
  fx.clock.advance(-30 * HOUR);
  expiredId = (await open('orders')).approvalId;
  fx.clock.advance(30 * HOUR);
  cutoverId = (await open('customer-notification')).approvalId;
  const decided = (await open('order-status')).approvalId;
  await fx.ledger.decideApproval(
    decided,
    { decision: 'cutover', approver: 'Ada' },
    fx.clock.now(),
  );
});
afterAll(() => fx.stop());
beforeEach(() => {
  cfn.reset();
  sfn.reset();
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
  sfn.on(DescribeExecutionCommand).resolves({
    executionArn: `${SM_ARN.replace(':stateMachine:', ':execution:')}:${MIGRATION_ID}`,
    status: 'RUNNING',
    stateMachineArn: SM_ARN,
    startDate: new Date(),
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

describe('msk-cutover status', () => {
  it('should list the apps, the open gates with their links’ state, and the decisions', async () => {
    expect(await main(['status', MIGRATION_ID, '--json'])).toBe(0);
    const status = JSON.parse(out.join('')) as MigrationStatus;
    expect(status.migration.migrationId).toBe(MIGRATION_ID);
    expect(status.execution?.status).toBe('RUNNING');
    expect(status.apps.map((a) => [a.app, a.state])).toEqual([
      ['order-status', 'CUTOVER_APPROVED'],
      ['orders', 'ON_SOURCE'],
      ['customer-notification', 'ON_SOURCE'],
    ]);
    const gates = Object.fromEntries(
      status.openGates.map((g) => [g.approvalId, g]),
    );
    expect(gates[cutoverId]).toMatchObject({
      kind: 'cutover',
      app: 'customer-notification',
      link: 'valid',
    });
    expect(gates[expiredId]).toMatchObject({ app: 'orders', link: 'expired' });
    expect(status.openGates).toHaveLength(2);
    expect(status.recentDecisions).toEqual([
      expect.objectContaining({
        app: 'order-status',
        decision: 'cutover',
        approver: 'Ada',
      }),
    ]);
    expect(sfn).toReceiveCommandWith(DescribeExecutionCommand, {
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:MskCutover-migration:${MIGRATION_ID}`,
    });
  });

  it('should print a readable summary', async () => {
    expect(await main(['status', MIGRATION_ID])).toBe(0);
    const text = out.join('');
    expect(text).toContain(`Migration ${MIGRATION_ID}: RUNNING`);
    expect(text).toMatch(/1\. order-status\s+CUTOVER_APPROVED/);
    expect(text).toContain('Open gates (2):');
    expect(text).toMatch(/cutover orders: open since .*link EXPIRED at/);
    expect(text).toMatch(/cutover customer-notification: .*link valid until/);
    expect(text).toContain(
      `decide: msk-cutover approve|reject ${MIGRATION_ID} --app customer-notification`,
    );
    expect(text).toMatch(/cutover order-status: cutover by Ada/);
    expect(text).not.toContain('sig=');
  });

  it('should print names from the ledger with escape sequences and newlines shown, not acted on', async () => {
    // Written straight into the ledger, below any plan validation.
    const id = 'hostile-names';
    const now = new Date().toISOString();
    await fx.ledger.startMigration({
      migrationId: id,
      planDigest: 'digest',
      planRef: PLAN_REF,
      status: 'RUNNING',
      startedAt: now,
      updatedAt: now,
    });
    await fx.ledger.putApps(id, [
      'clear\u001b[2J\u001b[H',
      'title\u001b]0;owned\u0007',
      'invoice\u202efdp.exe',
      'two\nFAKE LINE',
    ]);
    expect(await main(['status', id])).toBe(0);
    const text = out.join('');
    expect(firstActiveCharacter(text)).toBeUndefined();
    expect(text).toContain('clear\\u001b[2J\\u001b[H');
    expect(text).toContain('invoice\\u202efdp.exe');
    expect(text).toContain('two\\u000aFAKE LINE');
    expect(text.split('\n').some((l) => l.startsWith('FAKE'))).toBe(false);
  });

  it('should say so when the migration is not in the ledger', async () => {
    expect(await main(['status', 'no-such-migration'])).toBe(2);
    expect(err.join('')).toContain('no migration no-such-migration');
  });
});
