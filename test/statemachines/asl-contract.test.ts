/**
 * The ASL files' contract, offline (STYLE rule 15): placeholders, error
 * names both ways, the standard retrier, reachability, Choice defaults, the
 * naming rules, and the ASL schema (asl-validator, as the interpreter runs
 * it).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  loadDefinition,
  localSubstitutions,
} from '../../cli/rehearsal/local-sfn.ts';
import { ERROR_NAMES } from '../../functions/shared/domain/errors.ts';
import {
  ANY_ERROR_RETRIER,
  CHILD_SUBSTITUTIONS,
  PARENT_SUBSTITUTIONS,
  STANDARD_RETRIER,
  START_EXECUTION_RETRIER,
} from '../../functions/shared/substitutions.ts';

/** asl-validator ships no type declarations; this is the part used here. */
const aslValidator = createRequire(import.meta.url)('asl-validator') as (
  definition: unknown,
  options: { checkArn: boolean; checkPaths: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };

type State = Record<string, unknown> & { Type: string };
type Definition = { StartAt: string; States: Record<string, State> };

const files = {
  migration: {
    path: 'statemachines/migration.asl.json',
    keys: PARENT_SUBSTITUTIONS as readonly string[],
  },
  'app-cutover': {
    path: 'statemachines/app-cutover.asl.json',
    keys: CHILD_SUBSTITUTIONS as readonly string[],
  },
} as const;

const text = (path: string) => readFileSync(path, 'utf8');
const parse = (path: string) => JSON.parse(text(path)) as Definition;

/** Every state of a definition, including the Map's item processor. */
function allStates(def: Definition): [string, State, Definition][] {
  const out: [string, State, Definition][] = [];
  for (const [name, state] of Object.entries(def.States)) {
    out.push([name, state, def]);
    const processor = (state.ItemProcessor ?? state.Iterator) as
      | Definition
      | undefined;
    if (processor) out.push(...allStates(processor));
  }
  return out;
}

function successors(state: State): string[] {
  const next: string[] = [];
  if (typeof state.Next === 'string') next.push(state.Next);
  if (typeof state.Default === 'string') next.push(state.Default);
  for (const c of (state.Choices ?? []) as { Next: string }[]) {
    next.push(c.Next);
  }
  for (const c of (state.Catch ?? []) as { Next: string }[]) {
    next.push(c.Next);
  }
  return next;
}

/** States reachable from `from` in one scope, not passing through `stop`. */
function reachable(
  scope: Definition,
  from: string,
  stop: Set<string>,
): Set<string> {
  const seen = new Set<string>();
  if (!(from in scope.States)) return seen;
  const queue = [from];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (seen.has(name) || stop.has(name)) continue;
    seen.add(name);
    queue.push(...successors(scope.States[name] as State));
  }
  return seen;
}

const isLambdaTask = (s: State) =>
  s.Type === 'Task' &&
  String(s.Resource).startsWith('arn:aws:states:::lambda:invoke');

describe.each(Object.entries(files))('%s.asl.json', (_name, file) => {
  const def = parse(file.path);
  const states = allStates(def);

  it('should use only the known substitution keys, and all of them', () => {
    const used = new Set(
      [...text(file.path).matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]),
    );
    expect([...used].sort()).toEqual([...file.keys].sort());
  });

  it('should give every Lambda Task the standard retrier', () => {
    const lambdaTasks = states.filter(([, s]) => isLambdaTask(s));
    expect(lambdaTasks.length).toBeGreaterThan(3);
    for (const [name, state] of lambdaTasks) {
      expect(state.Retry, name).toEqual([STANDARD_RETRIER]);
    }
  });

  it('should give every Task a Retry with the errors documented for its integration', () => {
    const tasks = states.filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(5);
    for (const [name, state] of tasks) {
      const resource = String(state.Resource);
      const expected = resource.startsWith('arn:aws:states:::lambda:invoke')
        ? [STANDARD_RETRIER]
        : resource === 'arn:aws:states:::states:startExecution.sync:2'
          ? [START_EXECUTION_RETRIER]
          : [ANY_ERROR_RETRIER];
      expect(state.Retry, name).toEqual(expected);
    }
    // AWS's recommended Lambda retrier (bp-lambda-serviceexception).
    expect(STANDARD_RETRIER.ErrorEquals).toEqual(
      expect.arrayContaining([
        'Lambda.ClientExecutionTimeoutException',
        'Lambda.ServiceException',
        'Lambda.AWSLambdaException',
        'Lambda.SdkClientException',
      ]),
    );
  });

  it('should adopt the execution of a retried start that says ExecutionAlreadyExists', () => {
    const starts = states.filter(
      ([, s]) => s.Resource === 'arn:aws:states:::states:startExecution.sync:2',
    );
    expect(starts.length).toBeGreaterThan(0);
    for (const [name, state] of starts) {
      const first = (
        state.Catch as { ErrorEquals: string[]; Next: string }[]
      )[0];
      expect(first?.ErrorEquals, name).toEqual([
        'StepFunctions.ExecutionAlreadyExists',
      ]);
      // Through a Pass that starts counting the polls of the adopted
      // execution (the bound of that loop, see loops.test.ts).
      expect(first?.Next, name).toBe(`Set${name}PollsStart`);
      const start = states.find(([n]) => n === first?.Next)?.[1];
      expect(start?.Next, name).toBe(`Describe${name}`);
    }
  });

  it('should catch specific errors first and States.ALL alone, last, into $.error', () => {
    // The states of a wave (app-cutover in mode wave) record their failure
    // with the wave's name (RecordWaveFailure); every other state with its
    // application's, or the migration's (RecordFailure).
    const recorders = new Set(['RecordFailure', 'RecordWaveFailure']);
    const waveStates = reachable(def, 'SetWaveReadinessLoopStart', recorders);
    for (const [name, state, scope] of states) {
      const catchers = (state.Catch ?? []) as {
        ErrorEquals: string[];
        ResultPath?: string;
        Next: string;
      }[];
      catchers.slice(0, -1).forEach((c) => {
        expect(c.ErrorEquals, name).not.toContain('States.ALL');
      });
      if (state.Type !== 'Task' || recorders.has(name)) continue;
      // After the teardown, a failed event is a warning (tested below).
      if (
        name === 'PublishMigrationCompleted' ||
        name === 'PublishReplicatorsKept'
      ) {
        continue;
      }
      const last = catchers.at(-1);
      if (scope !== def) {
        // Inside a Map iteration: either the Map catches what fails (an
        // application or a wave of the parent fails the migration), or the
        // iteration turns it into its own outcome (an application of a
        // wave: failed, with its error), never into the workflow's $.error.
        if (last?.ErrorEquals.includes('States.ALL')) {
          expect(last, name).toMatchObject({
            ErrorEquals: ['States.ALL'],
            ResultPath: '$.childError',
          });
        }
        continue;
      }
      expect(last, name).toEqual({
        ErrorEquals: ['States.ALL'],
        ResultPath: '$.error',
        Next: waveStates.has(name) ? 'RecordWaveFailure' : 'RecordFailure',
      });
    }
  });

  it('should use Lambda results only through ResultSelector $.Payload under the phase key', () => {
    for (const [name, state] of states) {
      if (state.Resource !== 'arn:aws:states:::lambda:invoke') continue;
      expect(state.ResultSelector, name).toEqual({ 'result.$': '$.Payload' });
      expect(String(state.ResultPath), name).toMatch(/^\$\.[a-zA-Z]+$/);
    }
  });

  it('should time out every human gate from the state document', () => {
    const gates = states.filter(
      ([, s]) =>
        s.Resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken',
    );
    expect(gates.length).toBeGreaterThan(0);
    for (const [name, state] of gates) {
      expect(state.TimeoutSecondsPath, name).toMatch(/^\$\./);
      expect(state.HeartbeatSeconds, name).toBeUndefined();
      const payload = (state.Parameters as { Payload: object }).Payload;
      expect(payload, name).toMatchObject({
        'taskToken.$': '$$.Task.Token',
        'executionId.$': '$$.Execution.Id',
      });
      const catches = (state.Catch as { ErrorEquals: string[] }[]).flatMap(
        (c) => c.ErrorEquals,
      );
      expect(catches, name).toContain('States.Timeout');
    }
  });

  it('should reach every state from StartAt', () => {
    for (const scope of [
      def,
      ...states
        .map(([, s]) => s.ItemProcessor as Definition | undefined)
        .filter((p): p is Definition => p !== undefined),
    ]) {
      const seen = new Set<string>();
      const queue = [scope.StartAt];
      while (queue.length > 0) {
        const name = queue.pop() as string;
        if (seen.has(name)) continue;
        seen.add(name);
        const state = scope.States[name];
        expect(state, `${name} is referenced but not defined`).toBeDefined();
        queue.push(...successors(state as State));
      }
      expect([...seen].sort()).toEqual(Object.keys(scope.States).sort());
    }
  });

  it('should give every Choice a Default and name it ...Choice', () => {
    for (const [name, state] of states) {
      if (state.Type !== 'Choice') continue;
      expect(state.Default, name).toEqual(expect.any(String));
      expect(name).toMatch(/Choice$/);
    }
  });

  it('should name states in PascalCase with a Comment on each', () => {
    for (const [name, state] of states) {
      expect(name).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(state.Comment, name).toEqual(expect.any(String));
    }
  });

  it('should continue as new with a deterministic name', () => {
    const continuation = def.States.ContinueAsNewExecution as State;
    const params = continuation.Parameters as Record<string, unknown>;
    expect(continuation.Resource).toBe(
      'arn:aws:states:::states:startExecution.sync:2',
    );
    expect(params['StateMachineArn.$']).toBe('$$.StateMachine.Id');
    expect(params['Name.$']).toMatch(/^States\.Format\('\{\}-(a\{\}-)?c\{\}'/);
    expect(continuation.OutputPath).toBe('$.Output');
  });

  it('should pass asl-validator with the substitutions applied', () => {
    const filled = loadDefinition(
      _name as 'migration' | 'app-cutover',
      localSubstitutions(),
    );
    const { isValid, errorsText } = aslValidator(filled, {
      checkArn: true,
      checkPaths: true,
    });
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
  });

  it('should never put the plan in a payload', () => {
    expect(text(file.path)).not.toMatch(/"plan(\.\$)?"\s*:/);
  });
});

describe('error names', () => {
  const used = new Set<string>();
  for (const file of Object.values(files)) {
    for (const [, state] of allStates(parse(file.path))) {
      for (const r of [
        ...((state.Retry ?? []) as { ErrorEquals: string[] }[]),
        ...((state.Catch ?? []) as { ErrorEquals: string[] }[]),
      ]) {
        for (const e of r.ErrorEquals) used.add(e);
      }
      // Errors raised by the workflow itself (Pass into $.error, Fail).
      const raised = [
        state.Error,
        (state.Result as { Error?: string } | undefined)?.Error,
        (state.Parameters as { Error?: string } | undefined)?.Error,
      ];
      for (const e of raised) if (typeof e === 'string') used.add(e);
    }
  }
  // AWS's own error names (the ASL and its service integrations).
  const ours = [...used].filter(
    (e) => !/^(States|Lambda|StepFunctions)\./.test(e),
  );

  it('should use only names from ERROR_NAMES', () => {
    for (const name of ours) {
      expect(ERROR_NAMES as readonly string[]).toContain(name);
    }
  });

  it('should use every name in ERROR_NAMES', () => {
    expect(ours.sort()).toEqual([...ERROR_NAMES].sort());
  });
});

describe('the parent workflow', () => {
  const def = parse(files.migration.path);

  it('should run each application as a child execution named {executionBase}-a{index}', () => {
    const map = def.States.CutoverApplications as State;
    expect(map.MaxConcurrencyPath).toBe('$.validatePlan.result.concurrency');
    const processor = map.ItemProcessor as Definition;
    const task = processor.States.CutoverApplication as State;
    const params = task.Parameters as Record<string, unknown>;
    expect(params.StateMachineArn).toBe(`\${AppCutoverStateMachineArn}`);
    expect(params['Name.$']).toBe(
      "States.Format('{}-a{}', $.executionBase, $.appIndex)",
    );
    expect(task.ResultSelector).toEqual({
      'app.$': '$.Output.app',
      'outcome.$': '$.Output.outcome',
    });
  });

  it('should never fail a finished migration over its completion event', () => {
    const publish = def.States.PublishMigrationCompleted as State;
    expect(publish.Retry).toEqual([ANY_ERROR_RETRIER]);
    expect(publish.Catch).toEqual([
      {
        ErrorEquals: ['States.ALL'],
        ResultPath: '$.completionEventError',
        Next: 'RecordCompletionEventWarning',
      },
    ]);
    const warning = def.States.RecordCompletionEventWarning as State;
    expect(warning.Next).toBe('MigrationSucceeded');
    expect(def.States.MigrationSucceeded?.Type).toBe('Succeed');
  });

  it('should publish Migration Completed from source msk-cutover', () => {
    const publish = def.States.PublishMigrationCompleted as State;
    expect(publish.Resource).toBe('arn:aws:states:::events:putEvents');
    expect(
      (publish.Parameters as { Entries: object[] }).Entries[0],
    ).toMatchObject({
      Source: 'msk-cutover',
      DetailType: 'Migration Completed',
      EventBusName: `\${EventBusName}`,
    });
  });
});

describe('the wave workflow', () => {
  const parent = parse(files.migration.path);
  const child = parse(files['app-cutover'].path);

  it('should run the waves one at a time, each a child execution named {executionBase}-w{index}', () => {
    const choice = parent.States.AreWavesPlannedChoice as State;
    expect(choice.Choices).toEqual([
      {
        Variable: '$.validatePlan.result.waves',
        IsPresent: true,
        Next: 'CutoverWaves',
      },
    ]);
    expect(choice.Default).toBe('CutoverApplications');
    const map = parent.States.CutoverWaves as State;
    expect(map.ItemsPath).toBe('$.validatePlan.result.waves');
    expect(map.MaxConcurrency).toBe(1);
    const task = (map.ItemProcessor as Definition).States.CutoverWave as State;
    const params = task.Parameters as Record<string, Record<string, unknown>>;
    expect(params.StateMachineArn).toBe(`\${AppCutoverStateMachineArn}`);
    expect(params['Name.$']).toBe(
      "States.Format('{}-w{}', $.executionBase, $.waveIndex)",
    );
    expect(params.Input?.mode).toBe('wave');
  });

  it('should start every application of the parent in mode app', () => {
    const map = parent.States.CutoverApplications as State;
    const task = (map.ItemProcessor as Definition).States
      .CutoverApplication as State;
    const params = task.Parameters as Record<string, Record<string, unknown>>;
    expect(params.Input?.mode).toBe('app');
  });

  it("should name a wave's continuations and applications after the wave", () => {
    const continuation = child.States.ContinueWaveAsNewExecution as State;
    const params = continuation.Parameters as Record<string, unknown>;
    expect(params['StateMachineArn.$']).toBe('$$.StateMachine.Id');
    expect(params['Name.$']).toBe(
      "States.Format('{}-w{}-c{}', $.executionBase, $.waveIndex, $.continuation.generation)",
    );
    for (const [map, base, mode] of [
      ['CutoverWaveApplications', "'{}-w{}'", 'verify-cutover'],
      ['SettleWaveApplications', "'{}-w{}-r'", 'verify-rollback'],
    ] as const) {
      const state = child.States[map] as State;
      expect(state.MaxConcurrencyPath, map).toBe('$.concurrency');
      expect(
        (state.ItemSelector as Record<string, string>)['executionBase.$'],
        map,
      ).toBe(`States.Format(${base}, $.executionBase, $.waveIndex)`);
      const start = Object.values(
        (state.ItemProcessor as Definition).States,
      ).find(
        (s) => s.Resource === 'arn:aws:states:::states:startExecution.sync:2',
      );
      const startParams = start?.Parameters as Record<
        string,
        Record<string, unknown>
      >;
      expect(startParams['StateMachineArn.$'], map).toBe('$$.StateMachine.Id');
      expect(startParams['Name.$'], map).toBe(
        "States.Format('{}-a{}', $.executionBase, $.appIndex)",
      );
      expect(startParams.Input?.mode, map).toBe(mode);
    }
  });

  it('should ask two gates per wave, of the wave kinds, each for the wave', () => {
    const gates = Object.entries(child.States).filter(
      ([name, s]) =>
        s.Resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken' &&
        name.includes('Wave'),
    );
    expect(
      gates.map(([name, s]) => {
        const payload = (s.Parameters as { Payload: Record<string, unknown> })
          .Payload;
        return [name, payload.kind, payload['wave.$']];
      }),
    ).toEqual([
      ['RequestWaveCutoverApproval', 'wave-cutover', '$.wave'],
      ['RequestWaveKeepOrRollbackApproval', 'wave-keep-or-rollback', '$.wave'],
    ]);
  });

  it('should carry the mode into continuations and into record-failure', () => {
    const input = (
      (child.States.ContinueAsNewExecution as State).Parameters as {
        Input: Record<string, unknown>;
      }
    ).Input;
    expect(input['mode.$']).toBe('$.mode');
    const payload = (
      (child.States.RecordFailure as State).Parameters as {
        Payload: Record<string, unknown>;
      }
    ).Payload;
    expect(payload['mode.$']).toBe('$.mode');
  });
});
