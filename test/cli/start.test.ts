import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';

const cfn = mockClient(CloudFormationClient);
const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);

const PLAN_FILE = new URL('../../events/start-migration.json', import.meta.url)
  .pathname;
const PLAN_TEXT = readFileSync(PLAN_FILE, 'utf-8');
const SM_ARN =
  'arn:aws:states:us-east-1:123456789012:stateMachine:MskCutover-migration';
const EXEC_ARN =
  'arn:aws:states:us-east-1:123456789012:execution:MskCutover-migration:orders-platform';

let out: string[];
let err: string[];

beforeEach(() => {
  for (const m of [cfn, s3, sfn]) m.reset();
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
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'MskCutover',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: [
          { OutputKey: 'StateMachineArn', OutputValue: SM_ARN },
          { OutputKey: 'PlanBucketName', OutputValue: 'plans-bucket' },
          { OutputKey: 'LedgerTableName', OutputValue: 'ledger' },
        ],
      },
    ],
  });
  sfn
    .on(DescribeExecutionCommand)
    .rejects(new ExecutionDoesNotExist({ message: 'nope', $metadata: {} }));
  s3.on(PutObjectCommand).resolves({ VersionId: 'ver-7' });
  sfn.on(StartExecutionCommand).resolves({
    executionArn: EXEC_ARN,
    startDate: new Date(),
  });
});
afterEach(() => vi.restoreAllMocks());

describe('msk-cutover start', () => {
  it('should upload the plan, pin its version and start one execution named after the migration', async () => {
    expect(await main(['start', PLAN_FILE])).toBe(0);
    expect(cfn).toReceiveCommandWith(DescribeStacksCommand, {
      StackName: 'MskCutover',
    });
    expect(s3).toReceiveCommandWith(PutObjectCommand, {
      Bucket: 'plans-bucket',
      Key: 'plans/orders-platform.json',
      Body: PLAN_TEXT,
    });
    expect(sfn).toReceiveCommandWith(StartExecutionCommand, {
      stateMachineArn: SM_ARN,
      name: 'orders-platform',
      input: JSON.stringify({
        migrationId: 'orders-platform',
        planRef: {
          bucket: 'plans-bucket',
          key: 'plans/orders-platform.json',
          versionId: 'ver-7',
        },
        executionBase: 'orders-platform',
        generation: 0,
      }),
    });
    expect(out.join('')).toContain(EXEC_ARN);
    expect(out.join('')).toContain('version ver-7');
  });

  it('should use the named stack and region', async () => {
    expect(
      await main([
        'start',
        PLAN_FILE,
        '--stack',
        'Other',
        '--region',
        'eu-west-1',
      ]),
    ).toBe(0);
    expect(cfn).toReceiveCommandWith(DescribeStacksCommand, {
      StackName: 'Other',
    });
    const region = await cfn.call(0).thisValue.config.region();
    expect(region).toBe('eu-west-1');
  });

  it('should refuse an invalid plan with every problem, before any AWS call', async () => {
    const plan = JSON.parse(PLAN_TEXT);
    plan.migrationId = 'Orders_Platform';
    plan.region = 'mars-1';
    const dir = mkdtempSync(join(tmpdir(), 'start-'));
    const file = join(dir, 'plan.json');
    writeFileSync(file, JSON.stringify(plan));
    expect(await main(['start', file])).toBe(2);
    const text = err.join('');
    expect(text).toContain('is not a valid plan');
    expect(text).toContain('migrationId');
    expect(text).toContain('region');
    expect(cfn.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('should accept a plan that starts with a byte-order mark and upload it without', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'start-bom-'));
    const file = join(dir, 'plan.json');
    writeFileSync(file, `\ufeff${PLAN_TEXT}`);
    expect(await main(['start', file])).toBe(0);
    expect(s3).toReceiveCommandWith(PutObjectCommand, { Body: PLAN_TEXT });
  });

  it('should refuse a missing file', async () => {
    expect(await main(['start', '/nonexistent/plan.json'])).toBe(2);
    expect(err.join('')).toContain(
      '/nonexistent/plan.json: cannot read the file (no such file or directory)',
    );
  });

  it('should refuse to start a migration that is already running', async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: EXEC_ARN,
      status: 'RUNNING',
      startDate: new Date('2026-11-20T08:00:00Z'),
      stateMachineArn: SM_ARN,
    });
    expect(await main(['start', PLAN_FILE])).toBe(2);
    expect(err.join('')).toContain(
      'migration orders-platform is already running',
    );
    expect(sfn).toReceiveCommandWith(DescribeExecutionCommand, {
      executionArn: EXEC_ARN,
    });
    expect(s3.calls()).toHaveLength(0);
    expect(sfn).not.toReceiveCommand(StartExecutionCommand);
  });

  it('should refuse a migration id that already ran', async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: EXEC_ARN,
      status: 'FAILED',
      startDate: new Date(),
      stateMachineArn: SM_ARN,
    });
    expect(await main(['start', PLAN_FILE])).toBe(2);
    expect(err.join('')).toContain('already ran (FAILED');
    expect(sfn).not.toReceiveCommand(StartExecutionCommand);
  });

  it('should refuse when someone started it in the meantime', async () => {
    sfn
      .on(StartExecutionCommand)
      .rejects(
        new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }),
      );
    expect(await main(['start', PLAN_FILE])).toBe(2);
    expect(err.join('')).toContain('nothing was started twice');
  });

  it('should explain a missing stack or missing outputs', async () => {
    cfn.on(DescribeStacksCommand).rejects(
      new CloudFormationServiceException({
        name: 'ValidationError',
        $fault: 'client',
        message: 'Stack with id MskCutover does not exist',
        $metadata: {},
      }),
    );
    expect(await main(['start', PLAN_FILE])).toBe(2);
    expect(err.join('')).toContain(
      'stack MskCutover was not found in us-east-1',
    );

    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: 'X',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [],
        },
      ],
    });
    expect(await main(['start', PLAN_FILE])).toBe(2);
    expect(err.join('')).toContain(
      'has no output StateMachineArn, PlanBucketName',
    );
    expect(s3.calls()).toHaveLength(0);
  });

  it('should refuse an unversioned plan bucket', async () => {
    s3.on(PutObjectCommand).resolves({});
    expect(await main(['start', PLAN_FILE])).toBe(2);
    expect(err.join('')).toContain('enable versioning');
    expect(sfn).not.toReceiveCommand(StartExecutionCommand);
  });
});
