import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** Runs one of the tools' entry points as `npm run` does (tsx), with a controlled environment. */
function tool(script: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('npm run preflight', () => {
  it('exits 1 and prints what is wrong with the fix when Docker does not answer', () => {
    const { code, out } = tool('tools/preflight/cli.ts', ['--env', 'dev'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(code).toBe(1);
    expect(out).toContain('Preflight for environment "dev"');
    expect(out).toMatch(/\[FAIL\] Docker daemon: no answer from DOCKER_HOST=unix:\/\/\/nonexistent\/docker.sock/);
    expect(out).toMatch(/fix: .*DOCKER_HOST/);
  });

  it('exits 2 naming the known environments for an unknown one', () => {
    const { code, out } = tool('tools/preflight/cli.ts', [], { PLATFORM_ENV: 'prod' });
    expect(code).toBe(2);
    expect(out).toContain('environment "prod": no such environment');
    expect(out).toContain('dev, staging');
  });
});

describe('npm run deploy|diff|destroy|synth', () => {
  it('refuses an unknown command with the usage', () => {
    const { code, out } = tool('tools/lifecycle/cli.ts', ['apply']);
    expect(code).toBe(2);
    expect(out).toContain('usage: tsx tools/lifecycle/cli.ts <synth|deploy|diff|destroy|output>');
  });

  it('refuses an unknown environment before running cdktf', () => {
    const { code, out } = tool('tools/lifecycle/cli.ts', ['destroy', '--env', 'prod']);
    expect(code).toBe(2);
    expect(out).toContain('environment "prod": no such environment');
  });

  it('does not deploy when preflight fails', () => {
    const { code, out } = tool('tools/lifecycle/cli.ts', ['deploy', '--env', 'dev'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(code).toBe(1);
    expect(out).toContain('[FAIL] Docker daemon');
    expect(out).toContain('Deploy stopped');
    expect(out).not.toContain('$ PLATFORM_ENV=dev cdktf');
  });
});
