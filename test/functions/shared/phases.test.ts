/**
 * The phase table is the one list of phases: the function folders, the ASL
 * files' function placeholders, the stack's functions and the state
 * machines' invoke grants must be exactly its entries.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW_PHASES } from '../../../cli/rehearsal/local-sfn.ts';
import {
  functionArnPlaceholder,
  type MachineName,
  PHASE_TABLE,
  PHASES,
  phaseSpec,
  phasesOf,
} from '../../../functions/shared/phases.ts';
import { buildApp } from '../../../infra/app.ts';
import {
  KAFKA_PHASES,
  REPLICATOR_API_PHASES,
} from '../../../infra/bundling.ts';

const ROOT = join(import.meta.dirname, '../../..');
const MACHINES: readonly MachineName[] = ['migration', 'app-cutover'];

/** `${XFunctionArn}` placeholders of one ASL file. */
function functionPlaceholders(machine: MachineName): string[] {
  const text = readFileSync(
    join(ROOT, 'statemachines', `${machine}.asl.json`),
    'utf8',
  );
  return [
    ...new Set(
      [...text.matchAll(/\$\{(\w+FunctionArn)\}/g)].map((m) => m[1] ?? ''),
    ),
  ].sort();
}

describe('the phase table', () => {
  it('should have one entry per function folder with a handler, and no other', () => {
    const folders = readdirSync(join(ROOT, 'functions'), {
      withFileTypes: true,
    })
      .filter((d) => d.isDirectory() && d.name !== 'shared')
      .map((d) => d.name)
      .sort();
    expect(folders).toEqual([...PHASES].sort());
    for (const phase of PHASES) {
      expect(
        existsSync(join(ROOT, 'functions', phase, 'handler.ts')),
        `functions/${phase}/handler.ts`,
      ).toBe(true);
    }
  });

  it('should name every entry in PascalCase, each name once', () => {
    const names = PHASES.map((p) => phaseSpec(p).name);
    for (const name of names) expect(name).toMatch(/^[A-Z][A-Za-z]+$/);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(MACHINES)(
    'should be what %s.asl.json invokes, placeholder by placeholder',
    (machine) => {
      expect(functionPlaceholders(machine)).toEqual(
        phasesOf(machine).map(functionArnPlaceholder).sort(),
      );
    },
  );

  it('should give the local runner a function for every Lambda Task', () => {
    expect([...WORKFLOW_PHASES].sort()).toEqual(
      [...new Set(MACHINES.flatMap((m) => phasesOf(m)))].sort(),
    );
  });

  it('should be what the bundles are built from', () => {
    expect([...KAFKA_PHASES]).toEqual(
      PHASES.filter((p) => phaseSpec(p).kafka === true),
    );
    expect([...REPLICATOR_API_PHASES]).toEqual(
      PHASES.filter((p) => phaseSpec(p).replicatorApi === true),
    );
  });
});

describe('the stack built from the phase table', () => {
  let template: Template;

  beforeAll(() => {
    const { app, stack } = buildApp(
      new App({
        outdir: join(ROOT, 'test-output', 'cdk', 'phases'),
        context: { 'aws:cdk:bundling-stacks': [] },
      }),
      ROOT,
    );
    app.synth();
    template = Template.fromStack(stack);
  }, 120_000);

  it('should make exactly one function per entry, with its settings', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    const prefixes = Object.keys(fns)
      .map((id) => id.replace(/Function[0-9A-F]{8}$/, ''))
      .sort();
    expect(prefixes).toEqual(PHASES.map((p) => phaseSpec(p).name).sort());
    for (const phase of PHASES) {
      const spec = phaseSpec(phase);
      const [, fn] = Object.entries(fns).find(([id]) =>
        id.startsWith(`${spec.name}Function`),
      ) ?? ['', {}];
      expect(fn.Properties.Description, phase).toBe(spec.description);
      expect(fn.Properties.Timeout, phase).toBe(spec.timeoutSeconds ?? 60);
      expect(fn.Properties.MemorySize, phase).toBe(spec.memoryMB ?? 512);
    }
  });

  it.each(MACHINES)(
    'should let %s invoke exactly the functions the table says',
    (machine) => {
      const machines = template.findResources(
        'AWS::StepFunctions::StateMachine',
      );
      const found = Object.entries(machines).find(([id]) =>
        id.startsWith(machine === 'migration' ? 'Migration' : 'AppCutover'),
      );
      if (!found) throw new Error(`no state machine ${machine}`);
      const [, sm] = found;
      const substituted = Object.keys(
        (sm.Properties.DefinitionSubstitutions ?? {}) as object,
      )
        .filter((k) => k.endsWith('FunctionArn'))
        .sort();
      expect(substituted).toEqual(
        phasesOf(machine).map(functionArnPlaceholder).sort(),
      );

      const roleId = (sm.Properties.RoleArn as { 'Fn::GetAtt': [string] })[
        'Fn::GetAtt'
      ][0];
      const invoked = Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p) =>
          (p.Properties.Roles as { Ref: string }[]).some(
            (r) => r.Ref === roleId,
          ),
        )
        .flatMap(
          (p) =>
            p.Properties.PolicyDocument.Statement as {
              Action: string | string[];
              Resource: unknown;
            }[],
        )
        .filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'))
        .flatMap((s) => [s.Resource].flat())
        .map((r) => (r as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0])
        .map((id) => id.replace(/Function[0-9A-F]{8}$/, ''))
        .sort();
      expect(invoked).toEqual(
        phasesOf(machine)
          .map((p) => PHASE_TABLE[p].name)
          .sort(),
      );
    },
  );
});
