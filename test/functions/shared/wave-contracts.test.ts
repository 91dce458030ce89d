import { describe, expect, it } from 'vitest';
import {
  subsetProblems,
  ValidatePlanWavesSchema,
  WaveCutoverDecisionSchema,
  WaveExecutionInputSchema,
  WaveKeepOrRollbackDecisionSchema,
  WaveRequestApprovalEventSchema,
} from '../../../functions/shared/wave-contracts.ts';

const decided = { approver: 'ana@example.com', approvalId: 'a-1' };
const outcomes = [
  { app: 'ledger', outcome: 'verified' },
  { app: 'billing', outcome: 'skipped' },
  { app: 'invoices', outcome: 'failed' },
] as const;

describe('wave decisions', () => {
  it('reads a decision without a subset as the empty subset', () => {
    expect(
      WaveCutoverDecisionSchema.parse({ decision: 'cutover', ...decided }).skip,
    ).toEqual([]);
    expect(
      WaveKeepOrRollbackDecisionSchema.parse({ decision: 'keep', ...decided })
        .rollback,
    ).toEqual([]);
  });

  it('refuses a decision its gate does not allow', () => {
    // skip is a subset of a cutover decision, not a decision of its own.
    expect(
      WaveCutoverDecisionSchema.safeParse({ decision: 'skip', ...decided })
        .success,
    ).toBe(false);
    expect(
      WaveKeepOrRollbackDecisionSchema.safeParse({
        decision: 'rollback',
        ...decided,
      }).success,
    ).toBe(false);
  });

  it('says where a subset names an application outside the wave, twice, or one that never moved', () => {
    expect(subsetProblems('skip', ['billing'], outcomes)).toEqual([]);
    expect(
      subsetProblems('rollback', ['ledger', 'invoices'], outcomes),
    ).toEqual([]);
    expect(
      subsetProblems(
        'rollback',
        ['ledger', 'orders', 'billing', 'ledger'],
        outcomes,
      ),
    ).toEqual([
      '$.rollback[1]: orders is not an application of this wave',
      '$.rollback[2]: billing was skipped: it never left the source',
      '$.rollback[3]: ledger is named twice',
    ]);
  });
});

describe('wave events', () => {
  it('takes a wave gate event without a per-application field', () => {
    const event = WaveRequestApprovalEventSchema.parse({
      migrationId: 'orders-platform',
      planRef: { bucket: 'plans', key: 'p.json', versionId: 'v1' },
      kind: 'wave-keep-or-rollback',
      wave: 'payments',
      taskToken: 't',
      executionId: 'arn:aws:states:us-east-1:000000000000:execution:x:y',
      outcomes: [{ app: 'ledger', outcome: 'verified' }],
    });
    expect(event.kind).toBe('wave-keep-or-rollback');
    expect(
      WaveRequestApprovalEventSchema.safeParse({ ...event, kind: 'cutover' })
        .success,
    ).toBe(false);
  });

  it('needs at least one application per wave', () => {
    expect(
      ValidatePlanWavesSchema.safeParse({
        waves: [{ name: 'empty', apps: [] }],
        waveConcurrency: 0,
      }).success,
    ).toBe(false);
    expect(
      WaveExecutionInputSchema.safeParse({
        migrationId: 'orders-platform',
        planRef: { bucket: 'plans', key: 'p.json', versionId: 'v1' },
        executionBase: 'orders-platform-1',
        mode: 'wave',
        wave: 'payments',
        waveIndex: 0,
        apps: ['ledger'],
        concurrency: 0,
        pollIntervalSeconds: 60,
        gateTimeoutSeconds: 86_400,
        postponeSeconds: 3600,
        generation: 0,
      }).success,
    ).toBe(true);
  });
});
