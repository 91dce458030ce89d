/**
 * Terminal safety: whatever a name or message holds (from a plan, the
 * ledger, AWS), nothing printed can move the cursor, clear the screen, set
 * the title, rewrite a line or reorder text. The sanitizer is tested
 * directly, then through the rehearsal's rendered summary and timeline
 * with hostile strings injected into the formatters' input, below any plan
 * schema.
 */
import { describe, expect, it } from 'vitest';
import {
  hasUnsafeTerminalText,
  terminalText,
  terminalValue,
} from '../../cli/format/terminal-text.ts';
import type {
  RehearsalResult,
  TimelineEntry,
} from '../../cli/rehearsal/rehearse.ts';
import {
  printEmail,
  printSummary,
  timelinePrinter,
} from '../../cli/rehearsal/terminal.ts';
import { captureIo } from '../support/cli-io.ts';
import { firstActiveCharacter } from '../support/terminal.ts';

const HOSTILE = {
  clear: '\u001b[2J\u001b[H',
  title: '\u001b]0;owned\u0007',
  osc8: '\u001b]8;;http://evil.invalid\u001b\\click\u001b]8;;\u001b\\',
  c1csi: '\u009b31m',
  rewrite: 'ok\rFAKE',
  bidi: 'invoice\u202efdp.exe',
  isolate: '\u2066hidden\u2069',
  newline: 'a\nFAKE LINE',
  bom: '\ufeffname',
  del: 'x\u007fy',
  nul: 'x\u0000y',
};

describe('terminalText / terminalValue', () => {
  it('should show every escape introducer, control and bidi character as \\uXXXX', () => {
    expect(terminalText(HOSTILE.clear)).toBe('\\u001b[2J\\u001b[H');
    expect(terminalText(HOSTILE.title)).toBe('\\u001b]0;owned\\u0007');
    expect(terminalText(HOSTILE.c1csi)).toBe('\\u009b31m');
    expect(terminalText(HOSTILE.rewrite)).toBe('ok\\u000dFAKE');
    expect(terminalText(HOSTILE.bidi)).toBe('invoice\\u202efdp.exe');
    expect(terminalText(HOSTILE.isolate)).toBe('\\u2066hidden\\u2069');
    expect(terminalText(HOSTILE.bom)).toBe('\\ufeffname');
    expect(terminalText(HOSTILE.del)).toBe('x\\u007fy');
    expect(terminalText(HOSTILE.nul)).toBe('x\\u0000y');
    for (const s of Object.values(HOSTILE)) {
      expect(firstActiveCharacter(terminalValue(s))).toBeUndefined();
      expect(terminalValue(s)).not.toContain('\n');
      expect(hasUnsafeTerminalText(terminalText(s))).toBe(false);
    }
  });

  it('should keep lines, tabs and ordinary Unicode as they are', () => {
    const text = 'orders\tÉtat 日本語 🚀 — ok\nnext line';
    expect(terminalText(text)).toBe(text);
    expect(terminalValue('naïve 日本 🚀')).toBe('naïve 日本 🚀');
    expect(terminalValue('a\nb\tc')).toBe('a\\u000ab\\u0009c');
  });

  it('should keep JSON valid and equal when applied to JSON text', () => {
    const value = { name: `x${Object.values(HOSTILE).join('')}` };
    const safe = terminalText(JSON.stringify(value, null, 2));
    expect(firstActiveCharacter(safe)).toBeUndefined();
    expect(JSON.parse(safe)).toEqual(value);
  });
});

/** A finished rehearsal as the summary reads it, with hostile names. */
function hostileResult(): RehearsalResult {
  const app = `orders${HOSTILE.clear}`;
  return {
    outcome: 'FAILED',
    error: 'ReplicatorFailedError',
    scenario: 'happy-path',
    description: 'd',
    migrationId: 'm',
    apps: { [app]: 'ON_SOURCE', [HOSTILE.bidi]: 'ON_TARGET' },
    replicators: { created: ['r'], remaining: [`r${HOSTILE.title}`] },
    gates: [
      {
        app: HOSTILE.newline,
        kind: 'cutover',
        decision: 'cutover',
        openedAt: '2026-01-05T08:00:00.000Z',
        attempts: [],
        evidence: { replicators: [], groups: [] },
      },
    ],
    accounting: {
      executions: [],
      awsCalls: {},
      awsCallsByPrincipal: {},
      limits: { historyEvents: 1, payloadBytes: 1, ok: true },
    },
    iam: {
      enforced: true,
      checked: 3,
      denied: [
        {
          principal: 'preflight',
          action: 'kms:Decrypt',
          resource: `arn:aws:kms:us-east-1:123456789012:key/k${HOSTILE.title}`,
        },
      ],
    },
    injected: { throttledCalls: 0 },
    cleanup: { action: 'deleted', reason: HOSTILE.rewrite, deleted: [] },
    virtualDuration: 'PT1H',
    virtualStart: '2026-01-05T08:00:00.000Z',
    virtualEnd: '2026-01-05T09:00:00.000Z',
    wallMs: 10,
    expected: { outcome: 'SUCCEEDED', apps: {}, remainingReplicators: 0 },
    mismatches: [`${app} is ON_SOURCE${HOSTILE.osc8}`],
    timeline: [],
    emails: [],
    charts: { messageLag: [], replicationLatency: [], sumOffsetLag: [] },
  } as unknown as RehearsalResult;
}

describe('the rehearsal on a terminal', () => {
  it('should print a summary with hostile names escaped, one line per item', () => {
    const io = captureIo(true);
    printSummary(io.stdout, hostileResult(), `/tmp/r${HOSTILE.c1csi}`);
    const text = io.out();
    expect(firstActiveCharacter(text)).toBeUndefined();
    expect(text).toContain('orders\\u001b[2J\\u001b[H ON_SOURCE');
    expect(text).toContain('invoice\\u202efdp.exe ON_TARGET');
    expect(text).toContain('cutover a\\u000aFAKE LINE → cutover');
    expect(text).toContain('cleanup: deleted: ok\\u000dFAKE');
    expect(text).toContain('report: /tmp/r\\u009b31m');
    expect(text.split('\n').some((l) => l.startsWith('FAKE'))).toBe(false);
  });

  it('should keep the progress line’s own control sequence and escape the entries', () => {
    const io = captureIo(true);
    const print = timelinePrinter(io.stdout, new Date('2026-01-05T08:00:00Z'));
    const at = '2026-01-05T08:05:00.000Z';
    const entries: TimelineEntry[] = [
      { at, wallMs: 5, kind: 'wait', text: `Wait${HOSTILE.title}` },
      { at, wallMs: 6, kind: 'gate', text: `decided ${HOSTILE.clear}` },
    ];
    for (const e of entries) print(e);
    const text = io.out();
    // The rehearsal's own "rewrite this line" sequence, twice, and nothing
    // else that acts.
    expect(text.split('\r\u001b[K')).toHaveLength(3);
    expect(
      firstActiveCharacter(text.replaceAll('\r\u001b[K', '')),
    ).toBeUndefined();
    expect(text).toContain('waiting (Wait\\u001b]0;owned\\u0007) ...');
    expect(text).toContain('decided \\u001b[2J\\u001b[H\n');
  });

  it('should print an interactive email with its subject and body escaped', () => {
    const io = captureIo(true);
    printEmail(io.stdout, {
      at: new Date(),
      subject: `approve ${HOSTILE.newline}`,
      body: `Open ${HOSTILE.osc8}\nthen decide`,
      attributes: {},
    } as never);
    const text = io.out();
    expect(firstActiveCharacter(text)).toBeUndefined();
    expect(text).toContain('---- email: approve a\\u000aFAKE LINE\n');
    expect(text).toContain('then decide');
  });
});
