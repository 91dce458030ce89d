/**
 * `msk-cutover plan <plan.json> [--out DIR] [--json]`: validate a plan and
 * show everything it implies; `--import-cli kafka-clusters.json
 * replication-info.json` drafts a plan from the AWS CLI files of the
 * published walkthrough.
 *
 * Exit codes: 0 valid, 2 invalid plan or unreadable file (every problem on
 * its own line with its JSON path), 1 unexpected failure.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { forecast } from '../../functions/shared/domain/forecast.ts';
import { importCliFiles } from '../../functions/shared/domain/import-cli.ts';
import {
  roleArnProblem,
  sourceClusterIdProblem,
} from '../../functions/shared/domain/plan.ts';
import type { PlanIssue } from '../../functions/shared/domain/plan-rules.ts';
import {
  applyPriceOverrides,
  DEFAULT_PRICES,
  type PriceTable,
} from '../../functions/shared/domain/prices.ts';
import {
  MAX_SUGGESTED_WAVES,
  suggestWaves,
} from '../../functions/shared/domain/suggest-waves.ts';
import {
  formatIssue,
  formatPath,
} from '../../functions/shared/domain/validate.ts';
import { CliExit } from '../exit.ts';
import {
  planFiles,
  planJson,
  planReport,
  planSummary,
} from '../format/plan-report.ts';
import { safeWriter } from '../format/terminal-text.ts';
import { wavesJson, wavesSummary } from '../format/waves-report.ts';
import { errnoWords, outputDirectoryProblem } from '../paths.ts';
import {
  loadPlanFile,
  MAX_PLAN_DEPTH,
  readPlanText,
  tooDeep,
} from '../plan-input.ts';

export interface PlanCommandOptions {
  out?: string;
  json?: boolean;
  importCli?: string[];
  sourceClusterId?: string;
  roleArn?: string;
  scramUser: string;
  /** A JSON file of price overrides for the forecast. */
  prices?: string;
  /** `--suggest-waves N`: propose N waves instead of the report. */
  suggestWaves?: string;
}

/** Where output goes; tests pass their own. */
export interface Output {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processOutput: Output = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export function register(program: Command): void {
  program
    .command('plan')
    .description(
      'Validate a migration plan and show what it implies: both CreateReplicator requests, the source ACLs, the replicator role policy, the cutover order and the gates',
    )
    .argument('[plan.json]', 'the migration plan')
    .option('--out <dir>', 'write the requests, ACL script and policy here')
    .option('--json', 'print everything as one JSON document')
    .option(
      '--import-cli <files...>',
      'draft a plan from the AWS CLI files kafka-clusters.json and replication-info.json',
    )
    .option(
      '--source-cluster-id <id>',
      "the source cluster's id, when the plan does not set source.clusterId",
    )
    .option(
      '--role-arn <arn>',
      "the replicators' service execution role, when the plan does not set one",
    )
    .option(
      '--scram-user <name>',
      "the replicator's SCRAM user, for the ACL commands",
      'msk-replicator',
    )
    .option(
      '--prices <prices.json>',
      "override the forecast's list prices (see docs/forecast.md)",
    )
    .option(
      '--suggest-waves <n>',
      'propose n waves from the topics the applications share, for cutoverWaves (see docs/waves.md)',
    )
    .action(async (file: string | undefined, options: PlanCommandOptions) => {
      const code = await runPlanCommand(file, options, processOutput);
      if (code !== 0) throw new CliExit(code);
    });
}

/** Run the command; returns the exit code. */
export async function runPlanCommand(
  file: string | undefined,
  options: PlanCommandOptions,
  output: Output,
): Promise<number> {
  // Everything printed goes through the terminal sanitizer.
  const out: Output = {
    stdout: safeWriter(output.stdout),
    stderr: safeWriter(output.stderr),
  };
  // The options fill plan fields: the plan's own checks apply.
  const optionProblems = [
    ['--role-arn', options.roleArn, roleArnProblem],
    ['--source-cluster-id', options.sourceClusterId, sourceClusterIdProblem],
  ] as const;
  for (const [flag, value, problemOf] of optionProblems) {
    const problem = value === undefined ? undefined : problemOf(value);
    if (problem !== undefined) {
      out.stderr(`msk-cutover plan: ${flag}: ${problem}\n`);
      return 2;
    }
  }
  if (options.importCli !== undefined) {
    return importCommand(options.importCli, options, out);
  }
  const waveCount =
    options.suggestWaves === undefined
      ? undefined
      : waveCountOf(options.suggestWaves);
  if (typeof waveCount === 'string') {
    out.stderr(`msk-cutover plan: --suggest-waves: ${waveCount}\n`);
    return 2;
  }
  if (file === undefined) {
    out.stderr('msk-cutover plan: missing <plan.json>\n');
    return 2;
  }
  if (waveCount !== undefined) {
    return suggestWavesCommand(file, waveCount, options.json === true, out);
  }
  const prices = await readPrices(options.prices, out);
  if (prices === undefined) return 2;
  const loaded = await loadPlanFile(file);
  if (!loaded.ok) {
    if ('message' in loaded) {
      out.stderr(`${loaded.message}\n`);
    } else {
      reportIssues(file, loaded.issues, options.json === true, out);
    }
    return 2;
  }
  const result = loaded.validation;
  if (!result.ok) {
    reportIssues(file, result.issues, options.json === true, out);
    return 2;
  }
  if (options.out !== undefined) {
    const problem = await outputDirectoryProblem('--out', options.out);
    if (problem !== undefined) {
      out.stderr(`msk-cutover plan: ${problem}; nothing was written\n`);
      return 2;
    }
  }
  const report = planReport(result.plan, result.warnings, {
    scramUser: options.scramUser,
    ...(options.sourceClusterId !== undefined
      ? { sourceClusterId: options.sourceClusterId }
      : {}),
    ...(options.roleArn !== undefined ? { roleArn: options.roleArn } : {}),
  });
  report.forecast = forecast(result.plan, { prices });
  if (options.out !== undefined) {
    const files = planFiles(result.plan, report);
    const root = resolve(options.out);
    const written = await writeFiles(root, files);
    if (written !== undefined) {
      out.stderr(`msk-cutover plan: --out ${options.out}: ${written}\n`);
      return 2;
    }
    if (options.json !== true) {
      out.stderr(`Wrote ${files.size} files to ${root}\n`);
    }
  }
  if (options.json === true) {
    out.stdout(`${JSON.stringify(planJson(report), null, 2)}\n`);
  } else {
    out.stdout(planSummary(result.plan, report));
  }
  return 0;
}

/** The number of waves asked for, or what is wrong with it. */
function waveCountOf(text: string): number | string {
  const n = /^\d{1,5}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SUGGESTED_WAVES) {
    return `${JSON.stringify(text)} is not a number of waves: give a whole number from 1 to ${MAX_SUGGESTED_WAVES}`;
  }
  return n;
}

async function suggestWavesCommand(
  file: string,
  count: number,
  json: boolean,
  out: Output,
): Promise<number> {
  const loaded = await loadPlanFile(file);
  if (!loaded.ok) {
    if ('message' in loaded) out.stderr(`${loaded.message}\n`);
    else reportIssues(file, loaded.issues, json, out);
    return 2;
  }
  const result = loaded.validation;
  if (!result.ok) {
    reportIssues(file, result.issues, json, out);
    return 2;
  }
  const { plan } = result;
  const waves = suggestWaves(plan, count);
  if (json) {
    out.stdout(`${JSON.stringify(wavesJson(waves), null, 2)}\n`);
    return 0;
  }
  const replaces =
    plan.cutoverWaves !== undefined
      ? 'cutoverWaves'
      : plan.cutoverOrder !== undefined
        ? 'cutoverOrder'
        : undefined;
  out.stdout(wavesSummary(file, plan.migrationId, waves, replaces));
  return 0;
}

/**
 * Writes `files` under `root`.
 *
 * @returns the problem as one line when a file could not be written (a
 * directory in the way, a full disk), undefined when all were written
 */
async function writeFiles(
  root: string,
  files: Map<string, string>,
): Promise<string | undefined> {
  for (const [path, content] of files) {
    const target = join(root, path);
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content, {
        mode: path.endsWith('.sh') ? 0o755 : 0o644,
      });
    } catch (err) {
      return `cannot write ${target} (${errnoWords(err)})`;
    }
  }
  return undefined;
}

async function importCommand(
  files: string[],
  options: PlanCommandOptions,
  output: Output,
): Promise<number> {
  const [clustersFile, infoFile] = files;
  if (
    files.length !== 2 ||
    clustersFile === undefined ||
    infoFile === undefined
  ) {
    output.stderr(
      'msk-cutover plan --import-cli needs two files: kafka-clusters.json replication-info.json\n',
    );
    return 2;
  }
  const inputs: unknown[] = [];
  for (const f of [clustersFile, infoFile]) {
    const read = await readPlanText(f);
    if (!read.ok) {
      output.stderr(`${read.message}\n`);
      return 2;
    }
    let input: unknown;
    try {
      input = JSON.parse(read.text);
    } catch (err) {
      output.stderr(`${f}: is not valid JSON: ${(err as Error).message}\n`);
      return 2;
    }
    const deep = tooDeep(input, MAX_PLAN_DEPTH);
    if (deep !== null) {
      output.stderr(
        `${f}: ${formatPath(deep)}: is nested more than ${MAX_PLAN_DEPTH} levels deep; the AWS CLI's files are far flatter\n`,
      );
      return 2;
    }
    inputs.push(input);
  }
  if (options.out !== undefined) {
    const problem = await outputDirectoryProblem('--out', options.out);
    if (problem !== undefined) {
      output.stderr(`msk-cutover plan: ${problem}; nothing was written\n`);
      return 2;
    }
  }
  const result = importCliFiles(inputs[0], inputs[1]);
  if (!result.ok) {
    reportIssues(
      files.join(' + '),
      result.issues,
      options.json === true,
      output,
    );
    return 2;
  }
  const planText = `${JSON.stringify(result.plan, null, 2)}\n`;
  if (options.out !== undefined) {
    const target = join(resolve(options.out), 'plan.json');
    const written = await writeFiles(
      resolve(options.out),
      new Map([['plan.json', planText]]),
    );
    if (written !== undefined) {
      output.stderr(`msk-cutover plan: --out ${options.out}: ${written}\n`);
      return 2;
    }
    output.stderr(`Wrote the draft plan to ${target}\n`);
  }
  if (options.json === true) {
    output.stdout(
      `${JSON.stringify({ plan: result.plan, notInferred: result.notInferred, notes: result.notes }, null, 2)}\n`,
    );
  } else {
    if (options.out === undefined) output.stdout(planText);
    const lines = [
      'Could not infer (fill in before `msk-cutover plan`):',
      ...result.notInferred.map((n) => `  ${n}`),
      'Notes:',
      ...result.notes.map((n) => `  ${n}`),
    ];
    output.stderr(`${lines.join('\n')}\n`);
  }
  return 0;
}

/** The price table, with the overrides of `file` when given. */
async function readPrices(
  file: string | undefined,
  output: Output,
): Promise<PriceTable | undefined> {
  if (file === undefined) return DEFAULT_PRICES;
  const read = await readPlanText(file);
  if (!read.ok) {
    output.stderr(`${read.message}\n`);
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(read.text);
  } catch (err) {
    output.stderr(`${file}: is not valid JSON: ${(err as Error).message}\n`);
    return undefined;
  }
  const result = applyPriceOverrides(json, file);
  if (!result.ok) {
    const lines = [
      `${file}: ${result.issues.length} problem${result.issues.length === 1 ? '' : 's'} in the prices; nothing was forecast`,
      ...result.issues.map((i) => `  ${i.path}: ${i.message}`),
    ];
    output.stderr(`${lines.join('\n')}\n`);
    return undefined;
  }
  return result.prices;
}

function reportIssues(
  file: string,
  issues: PlanIssue[],
  json: boolean,
  output: Output,
): void {
  if (json) {
    output.stdout(`${JSON.stringify({ valid: false, issues }, null, 2)}\n`);
    return;
  }
  const lines = [
    `${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}; nothing was created`,
    ...issues.map((i) => `  ${formatIssue(i)}`),
  ];
  output.stderr(`${lines.join('\n')}\n`);
}
