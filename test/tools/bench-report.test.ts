import type autocannon from 'autocannon';
import { describe, expect, it } from 'vitest';
import { formatTable, mergeRounds, type MeasuredRound } from '../../tools/bench/report.js';

/** The part of an autocannon result the report reads. */
function round(requests: number, seconds: number, cpuMs?: number): MeasuredRound {
  const result = {
    requests: { total: requests },
    duration: seconds,
    latency: { p50: 1, p99: 2 },
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    statusCodeStats: { '200': { count: requests } },
  } as unknown as autocannon.Result;
  return { result, cpuMs };
}

describe('bench report: merged rounds', () => {
  it('sums the rounds and keeps each round’s own rate and CPU per request, in run order', () => {
    const merged = mergeRounds('case', 'a case', [round(20_000, 2, 1_000), round(30_000, 2, 1_200)]);
    expect(merged.totalRequests).toBe(50_000);
    expect(merged.rps).toBe(12_500);
    expect(merged.cpuMsPerRequest).toBeCloseTo(2_200 / 50_000);
    expect(merged.statusCodes).toEqual({ '200': 50_000 });
    expect(merged.rounds).toEqual([
      { rps: 10_000, cpuMsPerRequest: 0.05 },
      { rps: 15_000, cpuMsPerRequest: 0.04 },
    ]);
  });

  it('leaves CPU per request out where a round could not measure it', () => {
    const merged = mergeRounds('case', 'a case', [round(1_000, 1, 10), round(1_000, 1)]);
    expect(merged.cpuMsPerRequest).toBeUndefined();
    expect(merged.rounds[1]).toEqual({ rps: 1_000, cpuMsPerRequest: undefined });
  });

  it('prints the spread of the rounds’ rates next to the merged rate', () => {
    const merged = mergeRounds('get-user-cached', 'a case', [round(20_000, 2, 1_000), round(30_000, 2, 1_200)]);
    const row = formatTable([merged], []).split('\n').find((line) => line.startsWith('get-user-cached'));
    expect(row).toMatch(/^get-user-cached\s+12500\s+10000-15000\s/);
  });
});
