import { spawnSync } from 'node:child_process';

/**
 * What the nginx on this machine can check. Debian 12 ships nginx 1.22, which predates
 * `resolve` on upstream servers (open source since 1.27.3); the pinned image runs a newer
 * nginx. On an older local nginx, the real-nginx tests check the config rendered with
 * `resolver: false` (everything else identical), and the resolve lines are checked as text.
 */
export function localNginxVersion(): [number, number, number] | undefined {
  const run = spawnSync('nginx', ['-v'], { encoding: 'utf8' });
  const match = /nginx\/(\d+)\.(\d+)\.(\d+)/.exec(`${run.stdout ?? ''}${run.stderr ?? ''}`);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/** True when the local nginx accepts `resolve` in an upstream block (1.27.3 and later). */
export function localNginxResolves(): boolean {
  const [major, minor, patch] = localNginxVersion() ?? [0, 0, 0];
  return major > 1 || (major === 1 && (minor > 27 || (minor === 27 && patch >= 3)));
}

/** The `resolver` option to render a config the local nginx can load. */
export const LOCAL_NGINX_RESOLVER: false | undefined = localNginxResolves() ? undefined : false;
