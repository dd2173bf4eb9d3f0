import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NGINX_ACCESS_LOG_FIELDS } from '../../pipelines/index.js';
import { NGINX_LOG_DIR, REQUEST_ID_HEADER, SANE_REQUEST_ID_PATTERN, SERVICES } from '@platform/contract';
import { DOCKER_EMBEDDED_DNS, renderNginxConfig, type NginxRoute } from '../../constructs/nginx-config.js';
import { LOCAL_NGINX_RESOLVER, localNginxResolves } from '../support/local-nginx.js';

const ROUTES: NginxRoute[] = SERVICES.map((s) => ({
  service: s.name,
  routePrefix: s.routePrefix,
  servers: [1, 2].map((i) => `${s.name}-${i}:${s.port}`),
}));
const HOSTS = ROUTES.flatMap((r) => r.servers.map((s) => s.split(':')[0]!));

const work = mkdtempSync(join(tmpdir(), 'nginx-config-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Private mount namespaces need CAP_SYS_ADMIN; unprivileged CI containers lack it. */
const CAN_UNSHARE = spawnSync('unshare', ['-m', 'true']).status === 0;

/**
 * Runs the real `nginx -t` on `config`. Preferably in a private mount namespace: a hosts
 * file that resolves `resolvable` is bind-mounted over /etc/hosts and a tmpfs over
 * /var/log gives nginx its log directory, so the config is checked exactly as generated
 * and nothing on this machine changes. Without namespaces, upstream hosts in
 * `resolvable` are rewritten to 127.0.0.1 and the log paths to a temporary directory.
 */
function nginxCheck(config: string, resolvable: readonly string[] = HOSTS): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(work, 'case-'));
  let run;
  if (CAN_UNSHARE) {
    writeFileSync(join(dir, 'nginx.conf'), config);
    writeFileSync(join(dir, 'hosts'), `127.0.0.1 localhost\n${resolvable.map((h) => `127.0.0.1 ${h}`).join('\n')}\n`);
    const script = [
      'set -e',
      'mount -t tmpfs tmpfs /var/log',
      `mkdir -p ${NGINX_LOG_DIR}`,
      `mount --bind ${dir}/hosts /etc/hosts`,
      `exec nginx -t -e /dev/stderr -c ${dir}/nginx.conf`,
    ].join('\n');
    run = spawnSync('unshare', ['-m', 'sh', '-c', script], { encoding: 'utf8' });
  } else {
    let rewritten = config.split(`${NGINX_LOG_DIR}/`).join(`${dir}/`);
    for (const host of resolvable) rewritten = rewritten.replace(new RegExp(`server ${host}:`, 'g'), 'server 127.0.0.1:');
    writeFileSync(join(dir, 'nginx.conf'), rewritten);
    run = spawnSync('nginx', ['-t', '-e', '/dev/stderr', '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
  }
  if (run.error) throw run.error;
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

describe('generated nginx config', () => {
  // What nginx -t checks here: see support/local-nginx.ts (the resolve lines need nginx >= 1.27.3).
  const config = renderNginxConfig({ routes: ROUTES, resolver: LOCAL_NGINX_RESOLVER });
  const deployed = renderNginxConfig({ routes: ROUTES });

  it('resolves upstream names at run time through Docker\'s DNS, so a down or replaced replica needs no nginx restart', () => {
    expect(deployed).toContain(`resolver ${DOCKER_EMBEDDED_DNS} valid=10s ipv6=off;`);
    for (const route of ROUTES) {
      const upstream = new RegExp(`upstream ${route.service} \\{([^}]*)\\}`).exec(deployed)![1]!;
      expect(upstream).toContain(`zone ${route.service} 64k;`);
      for (const server of route.servers) expect(upstream).toContain(`server ${server} max_fails=3 fail_timeout=10s resolve;`);
    }
    // With resolve off (what nginx -t checks below on an older nginx), no run-time resolution is left.
    const staticForm = renderNginxConfig({ routes: ROUTES, resolver: false });
    expect(staticForm).not.toMatch(/ resolve;|^ +zone |resolver/m);
  });

  it('stops gracefully within a bound (worker_shutdown_timeout)', () => {
    expect(deployed).toMatch(/^worker_shutdown_timeout \d+s;$/m);
  });

  it.runIf(localNginxResolves())('starts while a replica does not resolve yet (nginx >= 1.27.3 here)', () => {
    const result = nginxCheck(deployed, HOSTS.filter((h) => h !== 'order-service-2'));
    expect(result.ok, result.output).toBe(true);
  });

  it('passes the real nginx -t', () => {
    const result = nginxCheck(config);
    expect(result.output).toContain('syntax is ok');
    expect(result.ok, result.output).toBe(true);
  });

  it('fails nginx -t when broken: a syntax error', () => {
    const broken = config.replace('client_max_body_size 1m;', 'client_max_body_size 1m');
    const result = nginxCheck(broken);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/emerg/);
  });

  it.runIf(LOCAL_NGINX_RESOLVER === false)('with resolve off (older nginx), fails nginx -t when an upstream host does not resolve', () => {
    const result = nginxCheck(config, HOSTS.filter((h) => h !== 'order-service-2'));
    expect(result.ok).toBe(false);
    expect(result.output).toContain('order-service-2');
  });

  it('routes each service prefix, with and without a trailing path, to an upstream of every replica', () => {
    for (const route of ROUTES) {
      expect(config).toContain(`location = ${route.routePrefix} {\n      proxy_pass http://${route.service};`);
      expect(config).toContain(`location ${route.routePrefix}/ {\n      proxy_pass http://${route.service};`);
      const upstream = new RegExp(`upstream ${route.service} \\{([^}]*)\\}`).exec(config)![1]!;
      expect(upstream.match(/server /g)).toHaveLength(route.servers.length);
      for (const server of route.servers) expect(upstream).toContain(`server ${server} `);
    }
  });

  it('takes a sane X-Request-ID or generates one, passes it upstream and returns it', () => {
    expect(config).toMatch(/map \$http_x_request_id \$platform_request_id \{\s+"~\^\[A-Za-z0-9\._-\]\{1,128\}\$" \$http_x_request_id;\s+default \$request_id;/);
    expect(config).toContain('proxy_set_header X-Request-ID $platform_request_id;');
    expect(config).toContain('add_header X-Request-ID $platform_request_id always;');
    expect(config).toContain('proxy_hide_header X-Request-ID;');
  });

  it("names the contract's request-id header (REQUEST_ID_HEADER; header names ignore case) and keeps the ids the services keep", () => {
    const named = [...config.matchAll(/(?:add_header|proxy_set_header|proxy_hide_header) (\S+)(?= \$platform_request_id|;)/g)].map((m) => m[1]!);
    expect(named).toHaveLength(3);
    for (const name of named) expect(name.toLowerCase()).toBe(REQUEST_ID_HEADER);
    expect(config).toContain(`map $http_${REQUEST_ID_HEADER.replaceAll('-', '_')} $platform_request_id {`);
    expect(config).toContain(`"~${SANE_REQUEST_ID_PATTERN.source}" $http_`);
  });

  it('writes the JSON access log the log pipeline expects, with the request id', () => {
    const format = /log_format platform_json escape=json '(\{.*\})';/.exec(config)![1]!;
    const fields = JSON.parse(format) as Record<string, string>;
    expect(fields.request_id).toBe('$platform_request_id');
    for (const [name, variable] of Object.entries(NGINX_ACCESS_LOG_FIELDS)) expect(fields[name]).toBe(variable);
    expect(config).toContain(`access_log ${NGINX_LOG_DIR}/access.log platform_json;`);
    expect(config).toContain(`error_log ${NGINX_LOG_DIR}/error.log warn;`);
  });

  it('sends security headers, limits body size and rate per client', () => {
    for (const header of ['X-Content-Type-Options "nosniff"', 'X-Frame-Options "DENY"', 'Referrer-Policy "no-referrer"', 'Content-Security-Policy']) {
      expect(config).toContain(`add_header ${header}`);
    }
    expect(config).toContain('server_tokens off;');
    expect(config).toContain('client_max_body_size 1m;');
    expect(config).toContain('limit_req_zone $binary_remote_addr zone=per_client:10m rate=20r/s;');
    expect(config).toContain('limit_req zone=per_client burst=40 nodelay;');
    expect(config).toContain('limit_req_status 429;');
    // add_header in a location would silently drop the server-level security headers there.
    const locations = config.split(/\n\s+location /).slice(1);
    for (const location of locations) expect(location.split('\n    }')[0]).not.toContain('add_header');
  });

  it('answers its own health path without touching upstreams', () => {
    expect(config).toMatch(/location = \/nginx-health \{\s+access_log off;\s+return 200/);
  });

  it('takes custom limits, and they pass nginx -t too', () => {
    const custom = renderNginxConfig({ routes: ROUTES, clientMaxBodySize: '512k', ratePerSecond: 5, burst: 10, listenPort: 9090, resolver: LOCAL_NGINX_RESOLVER });
    expect(custom).toContain('client_max_body_size 512k;');
    expect(custom).toContain('rate=5r/s');
    expect(custom).toContain('burst=10 nodelay');
    expect(custom).toContain('listen 9090;');
    expect(nginxCheck(custom).ok).toBe(true);
  });

  it.each([
    [{ routes: [] }, /at least one service/],
    [{ routes: [{ ...ROUTES[0]!, routePrefix: 'users' }] }, /routePrefix "users".*leading "\/"/],
    [{ routes: [{ ...ROUTES[0]!, routePrefix: '/users/' }] }, /routePrefix "\/users\/"/],
    [{ routes: [ROUTES[0]!, { ...ROUTES[1]!, routePrefix: ROUTES[0]!.routePrefix }] }, /already taken/],
    [{ routes: [{ ...ROUTES[0]!, servers: [] }] }, /at least one "host:port"/],
    [{ routes: [{ ...ROUTES[0]!, servers: ['user-service-1'] }] }, /"host:port"/],
    [{ routes: ROUTES, clientMaxBodySize: '1 GB' }, /clientMaxBodySize/],
    [{ routes: ROUTES, ratePerSecond: 0 }, /ratePerSecond/],
    [{ routes: ROUTES, burst: 1.5 }, /burst/],
    [{ routes: ROUTES, resolver: 'dns.local' }, /resolver must be an IPv4 address/],
  ])('refuses bad options (%#)', (options, message) => {
    expect(() => renderNginxConfig(options)).toThrow(message);
  });
});
