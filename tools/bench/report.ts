import type autocannon from 'autocannon';

/** One measured case, reduced to the figures the benchmark tracks. */
export interface CaseResult {
  readonly name: string;
  readonly description: string;
  /** Requests per second over the measured rounds (total requests / total measured time). */
  readonly rps: number;
  /** Latency percentiles in milliseconds. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Connection errors and timeouts. */
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly totalRequests: number;
  readonly durationSeconds: number;
  readonly statusCodes: Record<string, number>;
  /** CPU time (user + system) the case's server processes used per request, in milliseconds; undefined without /proc. */
  readonly cpuMsPerRequest?: number;
  /** Each round's own rate and CPU per request, in run order: the spread a merged figure hides. */
  readonly rounds: readonly { readonly rps: number; readonly cpuMsPerRequest?: number }[];
}

/** A ratio between two cases and the goal it is held against. */
export interface Ratio {
  readonly name: string;
  readonly numerator: string;
  readonly denominator: string;
  readonly value: number;
  readonly goal: number;
  readonly met: boolean;
}

/** One measured round of a case. */
export interface MeasuredRound {
  readonly result: autocannon.Result;
  /** CPU time of the case's servers during the round; undefined without /proc. */
  readonly cpuMs?: number;
}

/** The middle value (the mean of the two middle ones for an even count). */
export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/**
 * A case's rounds as one result: counts and CPU time are summed, rps is total requests over
 * total time. Percentiles cannot be summed, so p50 is the median of the rounds' p50s and p99
 * the worst round's p99 (an upper bound).
 */
export function mergeRounds(name: string, description: string, rounds: readonly MeasuredRound[]): CaseResult {
  const results = rounds.map((r) => r.result);
  const sum = (pick: (r: autocannon.Result) => number) => results.reduce((total, r) => total + pick(r), 0);
  const statusCodes: Record<string, number> = {};
  for (const result of results) {
    for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = (statusCodes[code] ?? 0) + (stats?.count ?? 0);
  }
  const totalRequests = sum((r) => r.requests.total);
  const durationSeconds = sum((r) => r.duration);
  const cpuMs = rounds.some((r) => r.cpuMs === undefined) ? undefined : rounds.reduce((total, r) => total + r.cpuMs!, 0);
  return {
    name,
    description,
    rps: durationSeconds > 0 ? totalRequests / durationSeconds : 0,
    p50Ms: median(results.map((r) => r.latency.p50)),
    p99Ms: Math.max(...results.map((r) => r.latency.p99)),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    non2xx: sum((r) => r.non2xx),
    totalRequests,
    durationSeconds,
    statusCodes,
    cpuMsPerRequest: cpuMs === undefined || totalRequests === 0 ? undefined : cpuMs / totalRequests,
    rounds: rounds.map(({ result, cpuMs: roundCpuMs }) => ({
      rps: result.duration > 0 ? result.requests.total / result.duration : 0,
      cpuMsPerRequest: roundCpuMs === undefined || result.requests.total === 0 ? undefined : roundCpuMs / result.requests.total,
    })),
  };
}

/** `numerator.rps / denominator.rps`, checked against `goal`. Throws when a case is missing. */
export function ratio(cases: readonly CaseResult[], name: string, numerator: string, denominator: string, goal: number): Ratio {
  const find = (caseName: string) => {
    const found = cases.find((c) => c.name === caseName);
    if (!found) throw new Error(`ratio "${name}" needs case "${caseName}", which did not run`);
    return found;
  };
  const top = find(numerator);
  const bottom = find(denominator);
  const value = bottom.rps > 0 ? top.rps / bottom.rps : 0;
  return { name, numerator, denominator, value, goal, met: value >= goal };
}

/**
 * The same comparison in CPU efficiency: requests per CPU-second of `numerator` over those of
 * `denominator` (i.e. denominator CPU per request / numerator CPU per request). Undefined
 * when CPU time could not be measured.
 */
export function cpuRatio(cases: readonly CaseResult[], name: string, numerator: string, denominator: string, goal: number): Ratio | undefined {
  const top = cases.find((c) => c.name === numerator)?.cpuMsPerRequest;
  const bottom = cases.find((c) => c.name === denominator)?.cpuMsPerRequest;
  if (top === undefined || bottom === undefined || top === 0) return undefined;
  const value = bottom / top;
  return { name, numerator, denominator, value, goal, met: value >= goal };
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
}

/** A plain-text table of the cases and ratios, for the terminal. */
export function formatTable(cases: readonly CaseResult[], ratios: readonly Ratio[], cpuRatios: readonly (Ratio | undefined)[] = []): string {
  const header = ['case', 'rps', 'rounds: rps', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'requests', 'cpu ms/req'];
  const roundRange = (c: CaseResult) => {
    const rates = c.rounds.map((r) => r.rps);
    return rates.length === 0 ? 'n/a' : `${Math.min(...rates).toFixed(0)}-${Math.max(...rates).toFixed(0)}`;
  };
  const rows = cases.map((c) => [
    c.name,
    c.rps.toFixed(0),
    roundRange(c),
    c.p50Ms.toFixed(1),
    c.p99Ms.toFixed(1),
    String(c.errors),
    String(c.non2xx),
    String(c.totalRequests),
    c.cpuMsPerRequest === undefined ? 'n/a' : c.cpuMsPerRequest.toFixed(3),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const lines = [pad(header, widths), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map((r) => pad(r, widths))];
  lines.push('');
  const describe = (r: Ratio) => `${r.name}: ${r.value.toFixed(2)} (${r.numerator} / ${r.denominator}; goal >= ${r.goal}) ${r.met ? 'met' : 'MISSED'}`;
  lines.push('throughput ratios (requests per second):');
  for (const r of ratios) lines.push(`  ${describe(r)}`);
  const measured = cpuRatios.filter((r): r is Ratio => r !== undefined);
  if (measured.length > 0) {
    lines.push('CPU-efficiency ratios (requests per CPU-second of the servers; steadier on a busy machine):');
    for (const r of measured) lines.push(`  ${describe(r)}`);
  }
  return lines.join('\n');
}
