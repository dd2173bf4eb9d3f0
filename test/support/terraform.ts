import { execFileSync } from 'node:child_process';

/** Whether a `terraform` binary is on PATH: tests that run the real one are skipped without it. */
export function terraformAvailable(): boolean {
  try {
    execFileSync('terraform', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
