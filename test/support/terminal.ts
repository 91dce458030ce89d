/**
 * The first character in `text` a terminal would act on instead of
 * showing, as `U+XXXX at index`, or undefined. Written out by code point,
 * independently of the CLI's sanitizer: C0 controls other than tab and
 * newline, DEL, C1 controls, bidi controls (ALM, LRM, RLM, embeddings,
 * overrides, isolates), line/paragraph separators and the byte-order mark.
 */
export function firstActiveCharacter(text: string): string | undefined {
  let index = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    const active =
      (c < 0x20 && c !== 0x0a && c !== 0x09) ||
      (c >= 0x7f && c <= 0x9f) ||
      c === 0x061c ||
      c === 0x200e ||
      c === 0x200f ||
      c === 0x2028 ||
      c === 0x2029 ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069) ||
      c === 0xfeff;
    if (active) {
      return `U+${c.toString(16).toUpperCase().padStart(4, '0')} at ${index}: …${JSON.stringify(text.slice(Math.max(0, index - 20), index + 20))}…`;
    }
    index += ch.length;
  }
  return undefined;
}
