/**
 * Where two servers' CPU per request differs, function by function: self time of each
 * profile divided by the requests its process served, and the difference, largest first.
 * For an A/B of the same code with one thing changed (logging on / off, say), e.g. from
 * `BENCH_PROFILE=1 npm run bench` with only the two cases (`BENCH_CASES`).
 * Usage: tsx tools/bench/profile-diff.ts <a.cpuprofile> <requests a> <b.cpuprofile> <requests b> [top=30]
 * The request counts are what each process served while profiled: warm-up included.
 */
import { isIdle, readSelfTimes, type SelfTimes } from './profiles.js';

const [fileA, requestsA, fileB, requestsB, topText] = process.argv.slice(2);
const countA = Number(requestsA);
const countB = Number(requestsB);
if (!fileA || !fileB || !(countA > 0) || !(countB > 0)) {
  process.stderr.write('usage: tsx tools/bench/profile-diff.ts <a.cpuprofile> <requests a> <b.cpuprofile> <requests b> [top]\n');
  process.exit(2);
}
const [a, b] = await Promise.all([readSelfTimes(fileA), readSelfTimes(fileB)]);
const busy = (times: SelfTimes, count: number) => (times.totalMicros - times.idleMicros) / count;
process.stdout.write(`CPU µs per request (sampled, idle excluded): a ${busy(a, countA).toFixed(2)}, b ${busy(b, countB).toFixed(2)}\n\n`);
process.stdout.write(`${'b - a'.padStart(7)} ${'a'.padStart(7)} ${'b'.padStart(7)}  µs per request, function\n`);
const rows = [...new Set([...a.byFunction.keys(), ...b.byFunction.keys()])]
  .filter((name) => !isIdle(name))
  .map((name) => {
    const perA = (a.byFunction.get(name) ?? 0) / countA;
    const perB = (b.byFunction.get(name) ?? 0) / countB;
    return { name, perA, perB, difference: perB - perA };
  })
  .sort((x, y) => Math.abs(y.difference) - Math.abs(x.difference))
  .slice(0, Number(topText ?? '30'));
for (const row of rows) {
  process.stdout.write(`${row.difference.toFixed(2).padStart(7)} ${row.perA.toFixed(2).padStart(7)} ${row.perB.toFixed(2).padStart(7)}  ${row.name}\n`);
}
