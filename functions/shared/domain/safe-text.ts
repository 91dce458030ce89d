/**
 * Text that cannot hurt where it lands: what a plan string may contain, and
 * how generated scripts carry strings safely.
 *
 * A plan is written by people and sometimes by scripts; its strings end up
 * in shell scripts a Kafka admin runs, in AWS requests, in emails, pages
 * and terminal lines. Two layers keep them harmless:
 * - validation refuses, anywhere in a plan, the characters no field needs
 *   and some media execute or hide: C0 controls (newline, carriage return,
 *   escape, ...), DEL, C1 controls (including the 8-bit CSI of terminals),
 *   Unicode line and paragraph separators, bidirectional overrides and
 *   isolates, zero-width and other invisible formatting characters, and
 *   unpaired surrogates (`unsafeCharacter`);
 * - generators quote every argument for the shell (`shellQuote`) and never
 *   let a string end a `#` comment line (`commentText`), so a string that
 *   got past validation still cannot run as a command.
 *
 * Hand-written: the rules are a few lines, and the shell-quoting library
 * the ecosystem uses (shell-quote) is not a dependency of this project.
 */

/** Code point ranges (inclusive) refused in plan strings, with a name each. */
const UNSAFE_RANGES: readonly [number, number, string][] = [
  [0x00, 0x1f, 'a control character'],
  [0x7f, 0x9f, 'a control character'],
  [0xad, 0xad, 'an invisible soft hyphen'],
  [0x061c, 0x061c, 'a bidirectional mark'],
  [0x180e, 0x180e, 'an invisible formatting character'],
  [0x200b, 0x200d, 'a zero-width character'],
  [0x200e, 0x200f, 'a bidirectional mark'],
  [0x2028, 0x2029, 'a line or paragraph separator'],
  [0x202a, 0x202e, 'a bidirectional override'],
  [0x2060, 0x2064, 'an invisible formatting character'],
  [0x2066, 0x2069, 'a bidirectional isolate'],
  [0xfeff, 0xfeff, 'a zero-width no-break space (byte order mark)'],
];

export interface UnsafeCharacter {
  /** UTF-16 index in the string. */
  index: number;
  /** `U+000A` */
  codePoint: string;
  /** What kind of character it is, for the message. */
  kind: string;
}

function hex(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

function unsafeKind(cp: number): string | undefined {
  for (const [from, to, kind] of UNSAFE_RANGES) {
    if (cp >= from && cp <= to) return kind;
  }
  return undefined;
}

/** The first character of `text` a plan string may not contain, if any. */
export function unsafeCharacter(text: string): UnsafeCharacter | undefined {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return { index: i, codePoint: hex(unit), kind: 'an unpaired surrogate' };
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) {
      return { index: i, codePoint: hex(unit), kind: 'an unpaired surrogate' };
    }
    const kind = unsafeKind(unit);
    if (kind !== undefined) return { index: i, codePoint: hex(unit), kind };
  }
  return undefined;
}

/** The validation message for a string holding `c`. */
export function unsafeMessage(c: UnsafeCharacter): string {
  return `contains ${c.kind} (${c.codePoint}) at position ${c.index}; plan strings must be printable text on one line`;
}

/**
 * `word` as one POSIX shell word: inside single quotes nothing is special
 * except the quote itself, which is written as `'"'"'` (close, a quoted
 * quote, reopen). Words made only of characters no shell interprets stay
 * bare for readability.
 */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_.,:/@=+-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

/**
 * `text` made safe for the rest of a `#` comment line of a shell script (or
 * any one-line medium): every character `unsafeCharacter` refuses, which
 * includes the newline that would end the comment, is written as its escape
 * (`\u000A`) instead.
 */
export function commentText(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const lone = ch.length === 1 && cp >= 0xd800 && cp <= 0xdfff;
    out += unsafeKind(cp) !== undefined || lone ? `\\u${hex(cp).slice(2)}` : ch;
  }
  return out;
}
