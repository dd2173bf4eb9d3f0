/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, e.g. from `BENCH_PROFILE=1 npm run bench`):
 * self time by function and by package, so the cost of a hot path can be attributed.
 * Usage: tsx tools/bench/profile-summary.ts <file.cpuprofile> [top=25]
 */
import { readSelfTimes } from './profiles.js';

const [file, topText] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: tsx tools/bench/profile-summary.ts <file.cpuprofile> [top]\n');
  process.exit(2);
}
const top = Number(topText ?? '25');
const { totalMicros: total, byFunction, byOwner } = await readSelfTimes(file);
const print = (title: string, entries: ReadonlyMap<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}\n`);
  }
};
process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s sampled\n`);
print('self time by package', byOwner);
print('self time by function', byFunction);
