import { performance } from 'node:perf_hooks';

/** A place in the list: what is due, and when (performance.now() ms). */
interface Entry<T> {
  readonly item: T;
  readonly due: number;
  previous: Entry<T> | undefined;
  next: Entry<T> | undefined;
  /** Off the list: answered, or already handed to `onDue`. */
  done: boolean;
}

/** What `add` returns, for `remove`. */
export type DeadlineHandle = object;

/**
 * One deadline per in-flight item, all `withinMs` after they were added, served by one timer.
 * Since every item gets the same bound, deadlines come due in the order items were added: a
 * list in that order, with a timer armed for its oldest entry, does what a timer per item
 * did, for a fraction of its cost (a `setTimeout` and a `close` listener per request cost
 * 0.3-1 µs in a loop, the list under 0.1; BENCHMARKS.md, round 6). The clock is monotonic, so
 * a change of the wall clock neither fires nor delays a deadline.
 */
export class Deadlines<T> {
  private oldest: Entry<T> | undefined;
  private newest: Entry<T> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly withinMs: number,
    /** Called once per item that was not removed before its deadline. */
    private readonly onDue: (item: T) => void,
  ) {
    if (!(withinMs > 0)) throw new RangeError(`Deadlines withinMs must be a positive number of milliseconds, got ${withinMs}`);
  }

  /** Starts the deadline of `item`, `withinMs` from now. */
  add(item: T): DeadlineHandle {
    const entry: Entry<T> = { item, due: performance.now() + this.withinMs, previous: this.newest, next: undefined, done: this.closed };
    if (this.closed) return entry; // never due
    if (this.newest) this.newest.next = entry;
    else this.oldest = entry;
    this.newest = entry;
    // A later entry is never due before the one the timer waits for: arm only when none is armed.
    if (!this.timer) this.arm(this.withinMs);
    return entry;
  }

  /** Ends the deadline (the item was answered). Removing twice, or after it came due, does nothing. */
  remove(handle: DeadlineHandle): void {
    const entry = handle as Entry<T>;
    if (entry.done || this.closed) return;
    entry.done = true;
    if (entry.previous) entry.previous.next = entry.next;
    else this.oldest = entry.next;
    if (entry.next) entry.next.previous = entry.previous;
    else this.newest = entry.previous;
    entry.previous = entry.next = undefined;
    // The timer stays armed: when it fires early for a removed entry, it re-arms for the oldest left.
  }

  /** Stops the timer; items still listed, and any added later, never come due. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.oldest = this.newest = undefined;
  }

  private arm(inMs: number): void {
    // Whole milliseconds, rounded up: Node timers never fire before the time they were given.
    this.timer = setTimeout(() => this.fire(), Math.max(1, Math.ceil(inMs)));
    // In-flight requests keep the process alive through their sockets; the timer need not.
    this.timer.unref();
  }

  private fire(): void {
    this.timer = undefined;
    const now = performance.now();
    try {
      for (let entry = this.oldest; entry && entry.due <= now; entry = this.oldest) {
        this.remove(entry);
        this.onDue(entry.item);
      }
    } finally {
      // Re-armed even if onDue threw, so the items after it still come due.
      if (this.oldest && !this.timer) this.arm(this.oldest.due - performance.now());
    }
  }
}
