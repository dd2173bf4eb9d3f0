/** Reading V8 CPU profiles (`node --cpu-prof`) into self time per function and per package. */
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTimes {
  /** Sampled microseconds, idle included. */
  readonly totalMicros: number;
  /** Of those, the time the process waited (V8's `(idle)` node), not CPU. */
  readonly idleMicros: number;
  /** Self microseconds by `function owner:line`. */
  readonly byFunction: ReadonlyMap<string, number>;
  /** Self microseconds by package (`node_modules/<pkg>`), `node internals`, or project file. */
  readonly byOwner: ReadonlyMap<string, number>;
}

/** V8 books the time the process waited under a native node of this name. */
const IDLE_FUNCTION = '(idle)';

/** Whether a `byFunction` name is that idle node (waiting, not CPU). */
export function isIdle(name: string): boolean {
  return name.startsWith(`${IDLE_FUNCTION} ${owner('')}:`);
}

/** `node_modules/<pkg>` (scoped too) of a script URL, `node:` internals, or the project file. */
function owner(url: string): string {
  if (url === '') return '(native/idle/gc)';
  if (url.startsWith('node:')) return 'node internals';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1]!;
  return url.replace(/^file:\/\//, '').replace(/^.*\/(services|tools)\//, '$1/');
}

export async function readSelfTimes(file: string): Promise<SelfTimes> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let totalMicros = 0;
  let idleMicros = 0;
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)!.callFrame;
    const name = `${frame.functionName || '(anonymous)'} ${owner(frame.url)}:${frame.lineNumber + 1}`;
    if (isIdle(name)) idleMicros += micros;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    byOwner.set(owner(frame.url), (byOwner.get(owner(frame.url)) ?? 0) + micros);
    totalMicros += micros;
  }
  return { totalMicros, idleMicros, byFunction, byOwner };
}

