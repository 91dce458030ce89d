/**
 * Inputs of a wave gate for the page's tests: the example plan, and
 * readiness / measurement records as poll-readiness and measure-source-lag
 * write them, per application.
 */
import { readFileSync } from 'node:fs';
import type { WaveAppInput } from '../../../../functions/shared/approvals/wave-view.ts';
import {
  type Plan,
  PlanSchema,
} from '../../../../functions/shared/domain/plan.ts';
import type { EvidenceRecord } from '../../../../functions/shared/ports.ts';

export const plan: Plan = PlanSchema.parse(
  JSON.parse(
    readFileSync(
      new URL('../../../../events/start-migration.json', import.meta.url),
      'utf-8',
    ),
  ),
);

export const AT = '2026-11-24T10:00:00.000Z';
export const TARGET_BROKERS =
  'b-1.orders-express.kafka.us-east-1.amazonaws.com:9098,b-2.orders-express.kafka.us-east-1.amazonaws.com:9098';

const worst = {
  ReplicatorFailure: 0,
  ReplicationFailures: 0,
  ConsumerGroupOffsetSyncFailure: 0,
  KafkaClusterPingSuccessCount: 1,
  MessageLag: 12,
  ReplicationLatency: 1_250,
  AuthError: 0,
  TargetSumOffsetLag: 800,
  SourceSumOffsetLag: 50,
};
const passed = {
  ReplicatorFailure: 2,
  ReplicationFailures: 2,
  ConsumerGroupOffsetSyncFailure: 2,
  KafkaClusterPingSuccessCount: 4,
  MessageLag: 4,
  ReplicationLatency: 2,
  AuthError: 4,
  TargetSumOffsetLag: 1,
  SourceSumOffsetLag: 1,
};

/** A readiness record of `app`: ready, or not with `MessageLag` 4,000 > 1,000. */
export function readinessOf(app: string, ready: boolean): EvidenceRecord {
  return {
    migrationId: plan.migrationId,
    evidenceId: `readiness-${app}`,
    at: AT,
    kind: 'readiness',
    app,
    ready,
    reasons: ready ? [] : [`MessageLag 4,000 > 1,000 on ${app}-topic`],
    data: {
      measurementId: `measure-${app}`,
      heldMinutes: ready ? 15 : 0,
      sustainedMinutes: 15,
      worst: ready ? worst : { ...worst, MessageLag: 4000 },
      passed: ready ? passed : { ...passed, MessageLag: 3 },
      failing: ready ? 0 : 1,
      outcomes: ready
        ? []
        : [
            {
              rule: 'MessageLag',
              subject: `msk-cutover-fwd topic ${app}-topic`,
              ok: false,
              value: 4000,
              limit: 1000,
            },
          ],
      notes: [],
    },
  };
}

/** The measurement of `app`: its group 50 behind on the source, 800 on MSK. */
export function measurementOf(app: string): EvidenceRecord {
  return {
    migrationId: plan.migrationId,
    evidenceId: `measure-${app}`,
    at: AT,
    kind: 'measure',
    app,
    reasons: [],
    data: {
      groups: [
        {
          group: `${app}-consumer`,
          source: {
            state: 'Stable',
            members: 3,
            sumOffsetLag: 50,
            byTopic: { [`${app}-topic`]: 50 },
          },
          target: {
            state: 'Empty',
            members: 0,
            sumOffsetLag: 800,
            byTopic: { [`${app}-topic`]: 800 },
          },
        },
      ],
    },
  };
}

/** Each named application, ready unless listed in `notReady`. */
export function cutoverApps(
  names: readonly string[],
  notReady: readonly string[] = [],
): WaveAppInput[] {
  return names.map((name) => ({
    name,
    readiness: readinessOf(name, !notReady.includes(name)),
    measurement: measurementOf(name),
  }));
}

export const approvalOf = (
  kind: 'wave-cutover' | 'wave-keep-or-rollback',
  wave: string,
) => ({
  approvalId: 'AbCdEfGhIjKlMnOpQrStUv',
  kind,
  wave,
  createdAt: AT,
  expiresAt: '2026-11-25T10:00:00.000Z',
});
