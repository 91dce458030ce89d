/**
 * What `msk-cutover plan --suggest-waves N` prints: the waves for a person
 * to read, or (`--json`) a `cutoverWaves` value to merge into the plan.
 * The caller writes both through the terminal sanitizer.
 */
import type { SuggestedWaves } from '../../functions/shared/domain/suggest-waves.ts';

/** Names shown per wave and split topics shown before "and N more". */
const SHOWN = 8;

const plural = (n: number, one: string, many = `${one}s`) =>
  `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

function list(names: readonly string[]): string {
  const shown = names.slice(0, SHOWN).join(', ');
  return names.length > SHOWN
    ? `${shown} and ${names.length - SHOWN} more`
    : shown;
}

/** The document `--json` prints: `{"cutoverWaves": [...]}`. */
export function wavesJson(result: SuggestedWaves): {
  cutoverWaves: SuggestedWaves['waves'];
} {
  return { cutoverWaves: result.waves };
}

/** The readable summary. */
export function wavesSummary(
  file: string,
  migrationId: string,
  result: SuggestedWaves,
  replaces: 'cutoverOrder' | 'cutoverWaves' | undefined,
): string {
  const { waves, requested, components, splitTopics } = result;
  const apps = waves.reduce((n, w) => n + w.applications.length, 0);
  const out = [
    `Suggested waves for ${migrationId}: ${plural(waves.length, 'wave')} for ${plural(apps, 'application')} (${plural(components, 'group')} of applications sharing topics)`,
  ];
  if (requested > waves.length) {
    out.push(
      `  (asked for ${requested}; the plan has ${plural(apps, 'application')}, one wave each)`,
    );
  }
  out.push('');
  const width = Math.max(...waves.map((w) => w.name.length));
  for (const w of waves) {
    out.push(
      `  ${w.name.padEnd(width)}  ${plural(w.applications.length, 'application')}: ${list(w.applications)}`,
    );
  }
  out.push('');
  if (splitTopics.length === 0) {
    out.push(
      'No topic has applications in two waves: every wave moves whole groups of applications that share topics.',
    );
  } else {
    out.push(
      `${plural(splitTopics.length, 'topic')} with applications in more than one wave (producers and consumers on different clusters between those waves, carried by the replicators): ${list(splitTopics)}`,
    );
  }
  out.push(
    'Waves run consumers first: a wave that consumes a topic another wave produces moves before it.',
    '',
    `To use them, put them in the plan as "cutoverWaves"${replaces === undefined ? '' : ` in place of "${replaces}"`}:`,
    `  msk-cutover plan ${file} --suggest-waves ${requested} --json > waves.json`,
    `  jq -s '.[0] * .[1] | del(.cutoverOrder)' ${file} waves.json > plan-with-waves.json`,
  );
  return `${out.join('\n')}\n`;
}
