/**
 * The one sanitizer for text the CLI prints. Names and messages come from
 * plans, the ledger, AWS and Kafka; a terminal acts on some characters
 * instead of showing them (ESC starts CSI/OSC sequences that move the
 * cursor, clear the screen or set the title; a carriage return rewrites the
 * line; C1 controls are 8-bit escapes; bidi overrides reorder what is
 * shown). Each such character is printed as its `\uXXXX` escape, visible
 * and harmless, and the same escape JSON uses, so JSON output stays valid
 * and means the same.
 *
 * Written by hand: the libraries that strip ANSI sequences (strip-ansi and
 * kin) remove only well-formed sequences and leave a lone ESC, C1 controls
 * and bidi overrides through; here every character that can act is shown.
 */

/**
 * Control characters (C0 except tab and newline, DEL, C1), the bidi
 * embeddings, overrides, isolates and marks (Bidi_Control), the Unicode
 * line and paragraph separators, and the byte-order mark (invisible, yet it
 * makes JSON invalid).
 */
const UNSAFE_IN_TEXT = /(?![\n\t])[\p{Cc}\p{Bidi_Control}\p{Zl}\p{Zp}\uFEFF]/gu;

/** As UNSAFE_IN_TEXT, and tab and newline too: for one value on one line. */
const UNSAFE_IN_VALUE = /[\p{Cc}\p{Bidi_Control}\p{Zl}\p{Zp}\uFEFF]/gu;

const asEscape = (c: string) =>
  `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * Text for a terminal: lines stay lines (newline and tab are kept), every
 * other control character, escape sequence introducer and bidi control is
 * shown as `\uXXXX`.
 */
export function terminalText(text: string): string {
  return text.replace(UNSAFE_IN_TEXT, asEscape);
}

/**
 * One value (a name, a reason) inside a line: as `terminalText`, and a
 * newline or tab in it is shown as `\u000a` / `\u0009` too, so a value
 * cannot start a line of its own.
 */
export function terminalValue(value: unknown): string {
  return String(value).replace(UNSAFE_IN_VALUE, asEscape);
}

/** Whether `text` holds a character `terminalText` would escape. */
export function hasUnsafeTerminalText(text: string): boolean {
  return new RegExp(UNSAFE_IN_TEXT.source, 'u').test(text);
}

/** A writer whose every write goes through `terminalText`. */
export function safeWriter(
  write: (text: string) => unknown,
): (text: string) => void {
  return (text) => {
    write(terminalText(text));
  };
}
