/**
 * `msk-cutover rehearse <plan.json> [--scenario NAME] [--auto-approve |
 * --interactive] [--report DIR] [--json] [--no-iam]` and
 * `rehearse --list-scenarios`.
 * Exit codes: 0 the scenario's expected outcome was reached, 3 it was not,
 * 2 invalid input (plan, scenario, options).
 */
import type { Command } from 'commander';
import { formatIssue } from '../../functions/shared/domain/validate.ts';
import { CliExit } from '../exit.ts';
import { safeWriter } from '../format/terminal-text.ts';
import { whileInterruptible } from '../interrupt.ts';
import {
  errnoWords,
  isFileSystemError,
  outputDirectoryProblem,
} from '../paths.ts';
import { readPlanFile } from '../plan-input.ts';
import type { Scenario } from '../rehearsal/scenario.ts';
import type { Output } from '../rehearsal/terminal.ts';

const DEFAULT_REPORT = 'rehearsal-report';

export interface RehearseOptions {
  scenario?: string;
  autoApprove?: boolean;
  interactive?: boolean;
  report?: string | false;
  json?: boolean;
  listScenarios?: boolean;
  /** `--no-iam`: skip IAM enforcement (docs/iam-enforcement.md). */
  iam?: boolean;
}

export interface RehearseIo {
  stdout: Output;
  stderr: Output;
}

const processIo = (): RehearseIo => ({
  stdout: {
    write: (t) => process.stdout.write(t),
    isTTY: process.stdout.isTTY === true,
  },
  stderr: {
    write: (t) => process.stderr.write(t),
    isTTY: process.stderr.isTTY === true,
  },
});

/** Every write through the terminal sanitizer. */
function sanitized(io: RehearseIo): RehearseIo {
  const wrap = (o: Output): Output => ({
    write: safeWriter((t) => o.write(t)),
    isTTY: o.isTTY,
  });
  return { stdout: wrap(io.stdout), stderr: wrap(io.stderr) };
}

/** What a rehearsal needs once every input was checked. */
export interface CheckedRehearsal {
  plan: unknown;
  scenario: Scenario;
  reportDir: string | undefined;
}

/**
 * Everything `rehearse` checks before it starts anything: the options, the
 * plan file (read, parsed, validated with the scenario's changes), the
 * scenario and the report directory. Problems are printed.
 *
 * @returns what the rehearsal needs, or the exit code (2)
 */
export async function checkRehearsal(
  file: string | undefined,
  options: RehearseOptions,
  rawIo: RehearseIo = processIo(),
): Promise<CheckedRehearsal | number> {
  const io = sanitized(rawIo);
  const { loadScenario, mergePlan } = await import('../rehearsal/scenario.ts');
  if (options.autoApprove && options.interactive) {
    io.stderr.write(
      'msk-cutover rehearse: choose --auto-approve or --interactive, not both\n',
    );
    return 2;
  }
  if (!file) {
    io.stderr.write(
      'msk-cutover rehearse: give a plan file (e.g. events/start-migration.json)\n',
    );
    return 2;
  }
  const read = await readPlanFile(file);
  if (!read.ok) {
    if ('message' in read) {
      io.stderr.write(`msk-cutover rehearse: ${read.message}\n`);
    } else {
      printIssues(io, file, read.issues);
    }
    return 2;
  }
  const plan = read.input;
  let scenario: Scenario;
  try {
    scenario = loadScenario(options.scenario ?? 'happy-path');
  } catch (err) {
    io.stderr.write(`msk-cutover rehearse: ${(err as Error).message}\n`);
    return 2;
  }
  const { validatePlan } = await import(
    '../../functions/shared/domain/validate.ts'
  );
  const validation = validatePlan(mergePlan(plan, scenario.plan));
  if (!validation.ok) {
    printIssues(io, file, validation.issues);
    return 2;
  }
  const reportDir =
    options.report === false ? undefined : (options.report ?? DEFAULT_REPORT);
  if (reportDir !== undefined) {
    // Checked now: the rehearsal takes a while, and its report is written
    // at the end.
    const problem = await outputDirectoryProblem('--report', reportDir);
    if (problem !== undefined) {
      io.stderr.write(
        `msk-cutover rehearse: ${problem}; nothing ran (or give --no-report)\n`,
      );
      return 2;
    }
  }
  return { plan, scenario, reportDir };
}

/** Runs the command; returns the exit code. */
export async function runRehearseCommand(
  file: string | undefined,
  options: RehearseOptions,
  rawIo: RehearseIo = processIo(),
): Promise<number> {
  const io = sanitized(rawIo);
  // Handlers log through Powertools; the rehearsal shows its own timeline.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const { loadScenario, scenarioNames } = await import(
    '../rehearsal/scenario.ts'
  );
  if (options.listScenarios) {
    for (const name of scenarioNames()) {
      const s = loadScenario(name);
      io.stdout.write(
        `${name.padEnd(22)} ${s.expected.outcome.padEnd(9)} ${s.description}\n`,
      );
    }
    return 0;
  }
  const ready = await checkRehearsal(file, options, rawIo);
  if (typeof ready === 'number') return ready;
  const { plan, scenario, reportDir } = ready;
  const { InvalidPlanError, rehearse } = await import(
    '../rehearsal/rehearse.ts'
  );
  const { stopLocalLedger } = await import('../rehearsal/local-aws.ts');
  const { jsonDocument, printEmail, printSummary, timelinePrinter } =
    await import('../rehearsal/terminal.ts');
  const { writeReport } = await import('../rehearsal/report.ts');
  const start = new Date('2026-01-05T08:00:00Z');
  // The timeline writes its progress line's own control sequence, so it
  // gets the raw output; it sanitizes every entry itself.
  const live = options.json ? undefined : timelinePrinter(rawIo.stdout, start);
  const interactive = options.interactive === true;
  try {
    if (!options.json) {
      io.stdout.write(
        `Rehearsing ${file} — scenario ${scenario.name}${interactive ? ' (interactive: decide in your browser)' : ''}\n`,
      );
    }
    const result = await rehearse({
      plan,
      scenario,
      mode: interactive ? 'interactive' : 'auto',
      start,
      iam: options.iam !== false,
      ...(live ? { onTimeline: live } : {}),
      ...(interactive ? { onEmail: (e) => printEmail(io.stdout, e) } : {}),
    });
    let reportPath: string | undefined;
    if (reportDir !== undefined) {
      try {
        reportPath = writeReport(reportDir, result);
      } catch (err) {
        if (!isFileSystemError(err)) throw err;
        io.stderr.write(
          `msk-cutover rehearse: --report ${reportDir}: cannot write the report (${errnoWords(err)})\n`,
        );
        return 2;
      }
    }
    if (options.json) {
      io.stdout.write(`${JSON.stringify(jsonDocument(result), null, 2)}\n`);
    } else {
      printSummary(io.stdout, result, reportPath);
    }
    return result.mismatches.length === 0 ? 0 : 3;
  } catch (err) {
    if (err instanceof InvalidPlanError) {
      printIssues(io, file ?? '', err.issues);
      return 2;
    }
    throw err;
  } finally {
    await stopLocalLedger();
  }
}

function printIssues(
  io: RehearseIo,
  file: string,
  issues: { path: string; message: string }[],
): void {
  io.stderr.write(
    `msk-cutover rehearse: ${file} is not a valid plan; nothing ran:\n`,
  );
  for (const issue of issues) {
    io.stderr.write(`  ${formatIssue(issue)}\n`);
  }
}

export function register(program: Command): void {
  program
    .command('rehearse [plan.json]')
    .description(
      'Run the whole migration workflow locally against simulated clusters in virtual time',
    )
    .option(
      '--scenario <name>',
      'scenario to rehearse (see --list-scenarios)',
      'happy-path',
    )
    .option(
      '--auto-approve',
      "decide every gate from the scenario's script (default)",
    )
    .option(
      '--interactive',
      'serve the approval page on localhost and wait for your clicks',
    )
    .option('--report <dir>', 'write the HTML report here', DEFAULT_REPORT)
    .option('--no-report', 'do not write the HTML report')
    .option(
      '--json',
      'print one JSON document at the end instead of the timeline',
    )
    .option(
      '--no-iam',
      "do not authorize the simulated AWS calls against the stack's IAM policies",
    )
    .option(
      '--list-scenarios',
      'list the scenarios and their expected outcomes',
    )
    .action(async (file: string | undefined, options: RehearseOptions) => {
      // Ctrl-C or a kill removes the temporary ledger before exiting.
      const { removeLocalLedgerDirectory } = await import(
        '../rehearsal/local-aws.ts'
      );
      const code = await whileInterruptible(
        'msk-cutover rehearse',
        removeLocalLedgerDirectory,
        () => runRehearseCommand(file, options),
      );
      if (code !== 0) throw new CliExit(code);
    });
}
