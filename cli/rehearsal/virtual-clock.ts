/**
 * The virtual clock of the local workflow: discrete-event time that jumps
 * to the next timer once nothing can make progress without it.
 */
import type { Clock } from '../../functions/shared/ports.ts';

/*
 * A discrete-event virtual clock. Several executions wait at once (a Map
 * with concurrency > 1, a parent waiting on its children), so waits cannot
 * simply be added up. Every wait registers a timer at `now + seconds`, and
 * time jumps to the earliest pending timer only when nothing can make
 * progress without it: no handler in flight (`run`), no hold (`hold`), and
 * one full event-loop turn without any activity. Everything the interpreter
 * does between two waits is promise microtasks, which always finish before
 * that turn ends; real I/O happens only inside handlers, which run inside
 * `run`.
 */

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
  cancelled: boolean;
}

/** A pending virtual timer that can be cancelled (e.g. a gate's timeout). */
export interface VirtualTimer {
  /** Resolves when virtual time reaches the timer. Never rejects. */
  readonly done: Promise<void>;
  /** Virtual time at which it fires. */
  readonly at: Date;
  cancel(): void;
}

/** Virtual time for the local workflow (see the comment above). */
export class VirtualClock implements Clock {
  #now: number;
  #timers: Timer[] = [];
  #seq = 0;
  #inFlight = 0;
  #holds = 0;
  #epoch = 0;
  #checkScheduled = false;
  #idleListeners = new Set<() => void>();

  /** @param start virtual start time (default 2026-01-01T00:00:00Z) */
  constructor(start: Date = new Date('2026-01-01T00:00:00Z')) {
    this.#now = start.getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  /** Resolves when virtual time has advanced by `seconds`. */
  sleep(seconds: number): Promise<void> {
    return this.timer(seconds).done;
  }

  /** A cancellable timer `seconds` from now (0 fires on the next advance). */
  timer(seconds: number): VirtualTimer {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new RangeError(`timer: seconds must be >= 0, got ${seconds}`);
    }
    const { promise, resolve } = Promise.withResolvers<void>();
    const t: Timer = {
      at: this.#now + Math.round(seconds * 1000),
      seq: this.#seq++,
      resolve,
      cancelled: false,
    };
    this.#timers.push(t);
    this.#poke();
    return {
      done: promise,
      at: new Date(t.at),
      cancel: () => {
        t.cancelled = true;
        this.#poke();
      },
    };
  }

  /**
   * Runs real asynchronous work (a Lambda handler doing I/O, a simulated
   * person) during which virtual time must not advance.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    this.#inFlight++;
    this.#poke();
    try {
      return await work();
    } finally {
      this.#inFlight--;
      this.#poke();
    }
  }

  /**
   * Stops time from advancing until the returned release function is
   * called (interactive mode: a person decides in real time).
   */
  hold(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      this.#poke();
    };
  }

  /** Number of timers still pending. */
  get pendingTimers(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }

  /**
   * Called each time the system is quiescent with no timer to advance to
   * (everything waits on a gate or has finished).
   */
  onIdle(listener: () => void): () => void {
    this.#idleListeners.add(listener);
    return () => this.#idleListeners.delete(listener);
  }

  /** Marks activity; schedules a quiescence check after this event-loop turn. */
  #poke(): void {
    this.#epoch++;
    if (this.#checkScheduled) return;
    this.#checkScheduled = true;
    const seen = this.#epoch;
    setImmediate(() => this.#check(seen));
  }

  #check(seen: number): void {
    this.#checkScheduled = false;
    if (this.#inFlight > 0 || this.#holds > 0) return;
    if (this.#epoch !== seen) {
      // Something happened during the last turn: look again after the next.
      this.#poke();
      return;
    }
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    if (this.#timers.length === 0) {
      for (const listener of this.#idleListeners) listener();
      return;
    }
    this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const first = this.#timers[0] as Timer;
    this.#now = Math.max(this.#now, first.at);
    const due = this.#timers.filter((t) => t.at <= this.#now);
    this.#timers = this.#timers.filter((t) => t.at > this.#now);
    for (const t of due) t.resolve();
    this.#poke();
  }
}
