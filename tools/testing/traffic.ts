import { send, type HttpAnswer, type HttpCall } from './http.js';

/** What one request of a traffic run ended with. */
export type Outcome = { readonly answer: HttpAnswer; readonly ms: number } | { readonly error: Error; readonly ms: number };

/**
 * Background traffic: `workers` loops each sending `next()` one at a time to `baseUrl` until
 * `stop()` resolves with every outcome. Each request has its own timeout, so a hang shows up
 * as an error outcome rather than a stuck test.
 */
export function startTraffic(baseUrl: string, workers: number, next: (n: number) => HttpCall): { stop(): Promise<Outcome[]>; outcomes: Outcome[] } {
  const outcomes: Outcome[] = [];
  let running = true;
  let counter = 0;
  const loop = async () => {
    while (running) {
      const n = counter++;
      const started = performance.now();
      try {
        const answer = await send(baseUrl, next(n));
        outcomes.push({ answer, ms: performance.now() - started });
      } catch (error) {
        outcomes.push({ error: error as Error, ms: performance.now() - started });
      }
    }
  };
  const loops = Array.from({ length: workers }, loop);
  return {
    outcomes,
    async stop() {
      running = false;
      await Promise.all(loops);
      return outcomes;
    },
  };
}
