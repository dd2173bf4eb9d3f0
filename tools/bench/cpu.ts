import { readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux builds). */
const USER_HZ = 100;

/**
 * CPU time (user + system, milliseconds) a process has used so far, from /proc/<pid>/stat;
 * undefined where /proc is not available. Unlike requests per second, CPU time per request
 * barely moves when other work competes for the cores, so it is the steadier comparison
 * on a busy machine.
 */
export async function cpuMillis(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return undefined;
  }
}

/** Sum of `cpuMillis` over `pids`; undefined if any is unknown. */
export async function totalCpuMillis(pids: readonly (number | undefined)[]): Promise<number | undefined> {
  const values = await Promise.all(pids.map(cpuMillis));
  return values.some((v) => v === undefined) ? undefined : values.reduce<number>((sum, v) => sum + v!, 0);
}
