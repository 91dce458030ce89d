/**
 * Runs patterns and names through the JDK's java.util.regex, once, as the
 * reference for msk-cutover's Java pattern semantics. Needs `java` (a JDK 11+
 * launches a single source file directly); CI installs one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What Java says of one pattern and each of its names. */
export interface OracleVerdict {
  /** `undefined` when `Pattern.compile` accepts the pattern. */
  error?: { description: string; index: number };
  /** Per name: `matcher(name).matches()`, or `timeout` past Java's budget. */
  matches: (boolean | 'timeout')[];
}

/**
 * The oracle. Input and output are Base64 so any character round-trips;
 * names are wrapped in a CharSequence that stops a runaway match after a
 * fixed number of character reads, so a catastrophic pattern cannot hang
 * the test run.
 */
const ORACLE_JAVA = `
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import java.util.regex.*;

public class Oracle {
  static final class Spent extends RuntimeException {
    Spent() { super(null, null, false, false); }
  }
  static final class Counted implements CharSequence {
    private final String s; private long left;
    Counted(String s, long left) { this.s = s; this.left = left; }
    public char charAt(int i) { if (--left < 0) throw new Spent(); return s.charAt(i); }
    public int length() { return s.length(); }
    public CharSequence subSequence(int a, int b) { return s.subSequence(a, b); }
    public String toString() { return s; }
  }
  public static void main(String[] args) throws Exception {
    Base64.Decoder dec = Base64.getDecoder();
    Base64.Encoder enc = Base64.getEncoder();
    StringBuilder out = new StringBuilder();
    Pattern p = null;
    for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
      String text = new String(dec.decode(line.substring(2)), StandardCharsets.UTF_8);
      if (line.charAt(0) == 'P') {
        try {
          p = Pattern.compile(text);
          out.append("C\\n");
        } catch (PatternSyntaxException e) {
          p = null;
          out.append("E ").append(enc.encodeToString(e.getDescription().getBytes(StandardCharsets.UTF_8)))
             .append(' ').append(e.getIndex()).append('\\n');
        }
      } else if (p == null) {
        out.append("-\\n");
      } else {
        try {
          out.append(p.matcher(new Counted(text, 20_000_000L)).matches() ? "1\\n" : "0\\n");
        } catch (Spent | StackOverflowError e) {
          out.append("T\\n");
        }
      }
    }
    System.out.print(out);
  }
}
`;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** The `java` launcher's version line, or a clear failure when it is missing. */
export function javaVersion(): string {
  // `java -version` prints to standard error.
  const run = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const text = `${run.stderr ?? ''}${run.stdout ?? ''}`;
  if (run.error !== undefined || !text.includes('version')) {
    throw new Error(
      'the differential test of Java patterns needs a JDK on PATH (`java`); .ci/run installs default-jdk-headless, locally: apt-get install default-jdk-headless',
      { cause: run.error },
    );
  }
  return text.split('\n')[0] as string;
}

/** The JDK's feature version (17 for `openjdk version "17.0.15"`). */
export function javaMajor(): number {
  const match = /version "(?:1\.)?(\d+)/.exec(javaVersion());
  return Number(match?.[1] ?? 0);
}

/** Java's verdict on each `[pattern, names]`, in one JVM run. */
export function runJavaOracle(
  cases: readonly { pattern: string; names: readonly string[] }[],
): OracleVerdict[] {
  javaVersion();
  const dir = mkdtempSync(join(tmpdir(), 'java-oracle-'));
  try {
    writeFileSync(join(dir, 'Oracle.java'), ORACLE_JAVA);
    const input = cases
      .flatMap(({ pattern, names }) => [
        `P ${b64(pattern)}`,
        ...names.map((n) => `N ${b64(n)}`),
      ])
      .join('\n');
    writeFileSync(join(dir, 'input.txt'), `${input}\n`);
    const output = execFileSync(
      'java',
      ['-Xss16m', join(dir, 'Oracle.java'), join(dir, 'input.txt')],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 240_000 },
    );
    const lines = output.split('\n');
    let at = 0;
    return cases.map(({ names }) => {
      const head = lines[at++] ?? '';
      const verdict: OracleVerdict = { matches: [] };
      if (head.startsWith('E ')) {
        const [, desc, index] = head.split(' ');
        verdict.error = {
          description: Buffer.from(desc ?? '', 'base64').toString('utf8'),
          index: Number(index),
        };
      } else if (head !== 'C') {
        throw new Error(`unexpected oracle output line ${at}: ${head}`);
      }
      for (const _ of names) {
        const line = lines[at++];
        verdict.matches.push(line === 'T' ? 'timeout' : line === '1');
      }
      return verdict;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
