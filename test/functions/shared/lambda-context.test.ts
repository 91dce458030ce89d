import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lambdaContext } from '../../../functions/shared/lambda-context.ts';
import { phaseSpec } from '../../../functions/shared/phases.ts';

describe('lambdaContext', () => {
  it('should count down from the function timeout it is given, as Lambda does', async () => {
    const c = lambdaContext('msk-cutover-probe-source', {
      timeoutSeconds: 300,
    });
    const first = c.getRemainingTimeInMillis();
    expect(first).toBeLessThanOrEqual(300_000);
    expect(first).toBeGreaterThan(290_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(c.getRemainingTimeInMillis()).toBeLessThan(first);
  });

  it('should default to 30 seconds and never go below zero', () => {
    const c = lambdaContext('f');
    expect(c.getRemainingTimeInMillis()).toBeLessThanOrEqual(30_000);
    expect(c.getRemainingTimeInMillis()).toBeGreaterThan(25_000);
    const gone = lambdaContext('f', { timeoutSeconds: 0 });
    expect(gone.getRemainingTimeInMillis()).toBe(0);
  });
});

describe('the rehearsal gives each handler its deployed timeout', () => {
  it('should hand probe-source the time its deployed function has', async () => {
    // The rehearsal is imported lazily: it is heavy and only this test needs it.
    const { rehearse } = await import('../../../cli/rehearsal/rehearse.ts');
    const { loadScenario } = await import('../../../cli/rehearsal/scenario.ts');
    const { stopLocalLedger } = await import(
      '../../../cli/rehearsal/local-aws.ts'
    );
    let remaining = -1;
    try {
      await rehearse({
        plan: JSON.parse(readFileSync('events/start-migration.json', 'utf8')),
        scenario: loadScenario('happy-path'),
        replaceHandlers: {
          'probe-source': async (
            _event: never,
            context: { getRemainingTimeInMillis(): number },
          ) => {
            remaining = context.getRemainingTimeInMillis();
            throw Object.assign(new Error('stop here'), {
              name: 'ValidationError',
            });
          },
        },
      });
    } finally {
      await stopLocalLedger();
    }
    const deployed = (phaseSpec('probe-source').timeoutSeconds ?? 60) * 1000;
    expect(remaining).toBeGreaterThan(deployed - 10_000);
    expect(remaining).toBeLessThanOrEqual(deployed);
  }, 120_000);
});
