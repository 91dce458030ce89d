/**
 * The approval API at a wave's gates: the form's repeated `skip` /
 * `rollback` fields (one application name each) are checked against the
 * gate's applications (`subsetProblems`): a bad subset is a 400 that
 * decides nothing; a good one is recorded, moves each application in the
 * ledger and reaches SendTaskSuccess with the subset.
 */
import { readFileSync } from 'node:fs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/approval-api/handler.ts';
import {
  type LocalApprovalApi,
  serveApprovalApi,
} from '../../../functions/approval-api/local-server.ts';
import { createHandler as createRequestHandler } from '../../../functions/request-approval/handler.ts';
import type { PlanRef } from '../../../functions/shared/contracts.ts';
import type { WaveAppResult } from '../../../functions/shared/wave-contracts.ts';
import {
  context,
  EXECUTION_ID,
  type GateFixture,
  newTaskToken,
  s3,
  sfn,
  startGateFixture,
  useEnv,
} from './gate-fixture.ts';

const MIGRATION = 'orders-platform-waves';
const REF: PlanRef = {
  bucket: 'msk-cutover-plans',
  key: 'orders-platform-waves.json',
  versionId: 'v-1',
};
const WAVE_PLAN = readFileSync(
  new URL('../../../events/start-migration-waves.json', import.meta.url),
  'utf-8',
);

let fx: GateFixture;
let api: LocalApprovalApi;
let requestApproval: ReturnType<typeof createRequestHandler>;

beforeAll(async () => {
  fx = await startGateFixture();
  useEnv(fx.env);
  s3.on(GetObjectCommand, {
    Bucket: REF.bucket,
    Key: REF.key,
    VersionId: REF.versionId,
  }).resolves({
    Body: { transformToString: async () => WAVE_PLAN } as never,
  });
  const now = fx.clock.now().toISOString();
  await fx.ledger.startMigration({
    migrationId: MIGRATION,
    planDigest: 'd',
    planRef: REF,
    status: 'RUNNING',
    startedAt: now,
    updatedAt: now,
  });
  await fx.ledger.putApps(MIGRATION, [
    'order-status',
    'orders',
    'customer-notification',
  ]);
  requestApproval = createRequestHandler({ clock: fx.clock });
  api = await serveApprovalApi(createHandler({ clock: fx.clock }));
});
afterAll(async () => {
  await api.close();
  await fx.stop();
});
beforeEach(() => {
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
});

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
  const emailed = new URL(fx.lastLink());
  const link = new URL(
    `${emailed.pathname.slice(1)}${emailed.search}`,
    api.baseUrl,
  );
  return { approvalId, taskToken, link: link.toString() };
}

async function post(link: string, form: URLSearchParams) {
  const res = await fetch(link, { method: 'POST', body: form });
  return { status: res.status, html: await res.text() };
}

async function formFor(link: string, fields: [string, string][]) {
  const page = await (await fetch(link)).text();
  const nonce = /name="nonce" value="([^"]+)"/.exec(page)?.[1] ?? '';
  return new URLSearchParams([['nonce', nonce], ...fields]);
}

const state = async (app: string) =>
  (await fx.ledger.getApp(MIGRATION, app))?.state;

describe('POST at a wave gate', () => {
  it('refuses a subset naming an application of another wave (400, nothing decided), then cuts the wave over with one skipped', async () => {
    const { link, approvalId, taskToken } = await openWaveGate(
      'wave-cutover',
      'order-flow',
    );
    const page = await (await fetch(link)).text();
    // The wave's own page: its question and a skip box per application.
    expect(page).toMatch(
      /Move the \d+ applications? of wave order-flow to Amazon MSK now\?/,
    );
    expect(page).toContain('name="skip" value="orders"');
    const bad = await post(
      link,
      await formFor(link, [
        ['decision', 'cutover'],
        ['approver', 'Ada'],
        ['skip', 'customer-notification'],
      ]),
    );
    expect(bad.status).toBe(400);
    expect(bad.html).toContain(
      '$.skip[0]: customer-notification is not an application of this wave',
    );
    expect(sfn.calls()).toHaveLength(0);
    expect((await fx.ledger.getApproval(approvalId))?.status).toBe('OPEN');
    expect(await state('order-status')).toBe('ON_SOURCE');

    const ok = await post(
      link,
      await formFor(link, [
        ['decision', 'cutover'],
        ['approver', 'Ada'],
        ['skip', 'orders'],
      ]),
    );
    expect(ok.status).toBe(200);
    expect(sfn).toReceiveCommandWith(SendTaskSuccessCommand, { taskToken });
    const output = JSON.parse(
      String(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output),
    );
    expect(output).toEqual({
      decision: 'cutover',
      approver: 'Ada',
      approvalId,
      skip: ['orders'],
    });
    expect(await fx.ledger.getApproval(approvalId)).toMatchObject({
      status: 'DECIDED',
      wave: 'order-flow',
      skip: ['orders'],
    });
    expect(await state('orders')).toBe('SKIPPED');
    expect(await state('order-status')).toBe('CUTOVER_APPROVED');
  });

  it('refuses a rollback of a skipped application and a skip at a keep-or-rollback gate; keeps with a rollback subset', async () => {
    await fx.ledger.transitionApp(
      MIGRATION,
      'order-status',
      ['CUTOVER_APPROVED'],
      'ON_TARGET',
    );
    const { link, approvalId } = await openWaveGate(
      'wave-keep-or-rollback',
      'order-flow',
      [
        { app: 'order-status', outcome: 'verified' },
        { app: 'orders', outcome: 'skipped' },
      ],
    );
    const skipped = await post(
      link,
      await formFor(link, [
        ['decision', 'keep'],
        ['approver', 'Ada'],
        ['rollback', 'orders'],
      ]),
    );
    expect(skipped.status).toBe(400);
    expect(skipped.html).toContain(
      '$.rollback[0]: orders was skipped: it never left the source',
    );
    const wrongField = await post(
      link,
      await formFor(link, [
        ['decision', 'keep'],
        ['approver', 'Ada'],
        ['skip', 'order-status'],
      ]),
    );
    expect(wrongField.status).toBe(400);
    expect(sfn.calls()).toHaveLength(0);

    const ok = await post(
      link,
      await formFor(link, [
        ['decision', 'keep'],
        ['approver', 'Ada'],
        ['rollback', 'order-status'],
      ]),
    );
    expect(ok.status).toBe(200);
    const output = JSON.parse(
      String(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input.output),
    );
    expect(output).toEqual({
      decision: 'keep',
      approver: 'Ada',
      approvalId,
      rollback: ['order-status'],
    });
    expect(await state('order-status')).toBe('ROLLBACK_APPROVED');
  });

  it('request-approval refuses a wave gate naming no wave, an unknown wave, or outcomes that are not the wave', async () => {
    const base = {
      migrationId: MIGRATION,
      planRef: REF,
      taskToken: newTaskToken(),
      executionId: EXECUTION_ID,
    };
    await expect(
      requestApproval({ ...base, kind: 'wave-cutover' }, context),
    ).rejects.toThrow('wave: required for a wave-cutover gate');
    await expect(
      requestApproval({ ...base, kind: 'wave-cutover', wave: 'w9' }, context),
    ).rejects.toThrow('wave: "w9" is not a wave of plan orders-platform-waves');
    await expect(
      requestApproval(
        {
          ...base,
          kind: 'wave-keep-or-rollback',
          wave: 'order-flow',
          outcomes: [{ app: 'order-status', outcome: 'verified' }],
        },
        context,
      ),
    ).rejects.toThrow('outcomes: no outcome for orders of wave order-flow');
    await expect(
      requestApproval(
        { ...base, kind: 'cutover', app: 'orders', wave: 'order-flow' },
        context,
      ),
    ).rejects.toThrow('wave: only a wave gate names a wave');
  });
});
