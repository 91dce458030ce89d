/**
 * After a failed parent execution: the real cleanup handler, given the
 * EventBridge "Execution Status Change" event it receives in AWS.
 */
import { randomBytes } from 'node:crypto';
import type { StartMigrationInput } from '../../functions/shared/contracts.ts';
import { ACCOUNT, REGION } from './account.ts';
import { loadHandler, phaseContext } from './handlers.ts';
import { localStateMachineArn } from './local-sfn.ts';
import { asPrincipal } from './principal.ts';
import type { RehearsalResult } from './result.ts';
import type { TimelineEntry } from './timeline.ts';
import type { VirtualClock } from './virtual-clock.ts';

export async function runCleanup(
  clock: VirtualClock,
  input: StartMigrationInput,
  note: (kind: TimelineEntry['kind'], text: string) => void,
  error: string | undefined,
  cause: string | undefined,
): Promise<RehearsalResult['cleanup']> {
  const mod = await loadHandler('cleanup');
  if (!mod) {
    note('cleanup', 'cleanup: functions/cleanup/handler.ts is not available');
    return undefined;
  }
  const handler = mod.createHandler({ clock });
  const smArn = localStateMachineArn('migration');
  // What EventBridge delivers for a failed execution.
  const event = {
    version: '0',
    id: randomBytes(16).toString('hex'),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: ACCOUNT,
    time: clock.now().toISOString(),
    region: REGION,
    resources: [
      `${smArn.replace(':stateMachine:', ':execution:')}:${input.executionBase}`,
    ],
    detail: {
      executionArn: `${smArn.replace(':stateMachine:', ':execution:')}:${input.executionBase}`,
      stateMachineArn: smArn,
      name: input.executionBase,
      status: 'FAILED',
      startDate: clock.now().getTime(),
      stopDate: clock.now().getTime(),
      input: JSON.stringify(input),
      error: error ?? null,
      cause: cause ? cause.slice(0, 500) : null,
    },
  };
  try {
    const out = (await clock.run(() =>
      asPrincipal('cleanup', () =>
        handler(event as never, phaseContext('cleanup')),
      ),
    )) as {
      migrations?: { action: string; reason: string; deleted: string[] }[];
    };
    const m = out.migrations?.[0];
    if (m) note('cleanup', `cleanup: ${m.action}: ${m.reason}`);
    return m
      ? { action: m.action, reason: m.reason, deleted: m.deleted }
      : undefined;
  } catch (err) {
    note(
      'cleanup',
      `cleanup failed: ${(err as Error).name}: ${(err as Error).message}`,
    );
    return undefined;
  }
}
