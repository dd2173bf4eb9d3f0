/** Polls `probe` every 100 ms until it returns true or `timeoutMs` passes; false on timeout (a probe that throws counts as false). */
export async function eventually(probe: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
