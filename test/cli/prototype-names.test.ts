/**
 * Names that are also properties of every plain object (`constructor`,
 * `toString`, `hasOwnProperty`, `valueOf`, `__proto__`) are data like any
 * other: a plan using them for applications, topics and groups validates
 * and rehearses to its expected outcome.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRehearseCommand } from '../../cli/commands/rehearse.ts';
import { groupLag, offsetIndex } from '../../functions/shared/domain/lag.ts';
import { validatePlan } from '../../functions/shared/domain/validate.ts';
import { captureIo } from '../support/cli-io.ts';

const PLAN = join(import.meta.dirname, '../fixtures/prototype-names-plan.json');

describe('plan names that are Object.prototype properties', () => {
  it('should be a valid plan', () => {
    const plan = JSON.parse(readFileSync(PLAN, 'utf8'));
    expect(plan.applications.map((a: { name: string }) => a.name)).toEqual([
      'constructor',
      'toString',
      'hasOwnProperty',
      'valueOf',
    ]);
    expect(validatePlan(plan).ok).toBe(true);
  });

  it('should rehearse to the expected outcome (exit 0, every app ON_TARGET)', async () => {
    const io = captureIo();
    const code = await runRehearseCommand(
      PLAN,
      { report: false, json: true },
      io,
    );
    expect(io.err()).toBe('');
    const doc = JSON.parse(io.out());
    expect(doc.mismatches).toEqual([]);
    expect(doc.apps).toEqual({
      constructor: 'ON_TARGET',
      toString: 'ON_TARGET',
      hasOwnProperty: 'ON_TARGET',
      valueOf: 'ON_TARGET',
    });
    expect(code).toBe(0);
  }, 120_000);

  it('should keep the lag of a topic named __proto__ or constructor', () => {
    const o = (topic: string, offset: number) => ({
      topic,
      partition: 0,
      offset: BigInt(offset),
    });
    const lag = groupLag(
      [o('__proto__', 1), o('constructor', 2)],
      offsetIndex([o('__proto__', 10), o('constructor', 5)]),
    );
    expect(lag.sumOffsetLag).toBe(12);
    expect(Object.keys(lag.byTopic).sort()).toEqual([
      '__proto__',
      'constructor',
    ]);
    expect(Object.getPrototypeOf(lag.byTopic)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(lag.byTopic))).toEqual(
      JSON.parse('{"__proto__": 9, "constructor": 3}'),
    );
  });
});
