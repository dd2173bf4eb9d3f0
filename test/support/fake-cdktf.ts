import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/** A throwaway project directory per test, holding a stand-in cdktf CLI and the log it appends its calls to. */
export interface FakeCdktfProject {
  /** The project directory (the lifecycle wrapper's cwd). */
  readonly dir: string;
  /** The JSON-lines file the script appends each call to (its FAKE_CDKTF_LOG). */
  readonly callLog: string;
  /** The script, run as `node <script>`. */
  readonly script: string;
}

/** Sets up a FakeCdktfProject before each test of the file, running `source` as the cdktf CLI, and removes it after. */
export function useFakeCdktfProject(prefix: string, source: string): FakeCdktfProject {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    writeFileSync(join(dir, 'fake-cdktf.mjs'), source);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  return {
    get dir() {
      return dir;
    },
    get callLog() {
      return join(dir, 'calls.jsonl');
    },
    get script() {
      return join(dir, 'fake-cdktf.mjs');
    },
  };
}
