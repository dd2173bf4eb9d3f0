import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Deadlines } from '../src/deadlines.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `due` holds `count` items (at most 3 s, so a busy machine cannot fail the test), then `marginMs` more for any that should not come. */
async function dueReaches(due: readonly unknown[], count: number, marginMs = 50): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (due.length < count && Date.now() < deadline) await sleep(5);
  await sleep(marginMs);
}

describe('Deadlines', () => {
  let deadlines: Deadlines<string> | undefined;
  afterEach(() => {
    deadlines?.close();
    deadlines = undefined;
    vi.restoreAllMocks();
  });

  it('hands each item not removed to onDue once, in the order added, never before its time', async () => {
    const due: { item: string; afterMs: number }[] = [];
    const added = new Map<string, number>();
    deadlines = new Deadlines<string>(40, (item) => due.push({ item, afterMs: performance.now() - added.get(item)! }));
    for (const item of ['a', 'b', 'c']) {
      added.set(item, performance.now());
      deadlines.add(item);
      await sleep(15);
    }
    await dueReaches(due, 3);
    expect(due.map((d) => d.item)).toEqual(['a', 'b', 'c']);
    for (const { afterMs } of due) expect(afterMs).toBeGreaterThanOrEqual(40);
  });

  it('never hands over a removed item: the oldest, one in the middle, the newest; removing twice or after it came due does nothing', async () => {
    const due: string[] = [];
    deadlines = new Deadlines<string>(30, (item) => due.push(item));
    const handles = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((item) => [item, deadlines!.add(item)]));
    deadlines.remove(handles.a!);
    deadlines.remove(handles.c!);
    deadlines.remove(handles.e!);
    deadlines.remove(handles.c!);
    await dueReaches(due, 2);
    expect(due).toEqual(['b', 'd']);
    deadlines.remove(handles.b!);
    const later = deadlines.add('f');
    await dueReaches(due, 3);
    expect(due).toEqual(['b', 'd', 'f']);
    deadlines.remove(later);
  });

  it('serves a thousand deadlines with one timer at a time, re-armed for the oldest left', async () => {
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const due: string[] = [];
    deadlines = new Deadlines<string>(30, (item) => due.push(item));
    // The timers Deadlines arms (this test's own sleep asks for 10 ms; counted before any fires).
    const armed = () => timers.mock.calls.filter(([, ms]) => ms !== 10).length;
    const handles = Array.from({ length: 1000 }, (_, i) => deadlines!.add(`early-${i}`));
    expect(armed()).toBe(1);
    for (const handle of handles.slice(0, 999)) deadlines.remove(handle);
    await sleep(10);
    deadlines.add('late');
    expect(armed()).toBe(1);
    await dueReaches(due, 2);
    expect(due).toEqual(['early-999', 'late']);
  });

  it('keeps serving the items after one whose onDue threw, and none after close (listed or added later)', async () => {
    const due: string[] = [];
    deadlines = new Deadlines<string>(20, (item) => {
      if (item === 'bad') throw new Error('onDue failed');
      due.push(item);
    });
    const errors: unknown[] = [];
    const onError = (error: unknown) => errors.push(error);
    process.prependListener('uncaughtException', onError);
    try {
      deadlines.add('bad');
      await sleep(5);
      deadlines.add('good');
      await dueReaches(due, 1);
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(errors).toHaveLength(1);
    expect(due).toEqual(['good']);
    const listed = deadlines.add('never');
    deadlines.close();
    deadlines.add('after close');
    deadlines.remove(listed);
    await sleep(100);
    expect(due).toEqual(['good']);
  });

  it('refuses a bound that is not a positive number of milliseconds', () => {
    for (const bad of [0, -1, Number.NaN]) expect(() => new Deadlines(bad, () => undefined)).toThrow(/withinMs must be a positive number of milliseconds, got/);
  });
});
