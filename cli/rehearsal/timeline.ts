/** The rehearsal's timeline: what happened, in virtual and wall time. */
import type { VirtualClock } from './virtual-clock.ts';

export interface TimelineEntry {
  /** Virtual time. */
  at: string;
  /** Wall milliseconds since the rehearsal started. */
  wallMs: number;
  kind: 'execution' | 'phase' | 'gate' | 'email' | 'wait' | 'cleanup';
  execution?: string;
  text: string;
}

/** The entries so far; `note` adds one and tells the live listener. */
export class Timeline {
  readonly entries: TimelineEntry[] = [];

  constructor(
    private readonly clock: VirtualClock,
    private readonly wallStart: number,
    private readonly onEntry?: (entry: TimelineEntry) => void,
  ) {}

  note(kind: TimelineEntry['kind'], text: string, execution?: string): void {
    const entry: TimelineEntry = {
      at: this.clock.now().toISOString(),
      wallMs: Math.round(performance.now() - this.wallStart),
      kind,
      text,
      ...(execution ? { execution } : {}),
    };
    this.entries.push(entry);
    this.onEntry?.(entry);
  }
}
