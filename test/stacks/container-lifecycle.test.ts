import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ELASTICSEARCH_STOP_GRACE_SECONDS } from '../../constructs/elasticsearch.js';
import { KIBANA_SHUTDOWN_TIMEOUT_SECONDS } from '../../constructs/kibana.js';
import { LOGSTASH_STOP_GRACE_SECONDS } from '../../constructs/logstash.js';
import { METRICBEAT_STOP_GRACE_SECONDS } from '../../constructs/metricbeat.js';
import { NGINX_WORKER_SHUTDOWN_SECONDS } from '../../constructs/nginx-config.js';
import { POSTGRES_BACKUP_STOP_GRACE_SECONDS } from '../../constructs/postgres-backup.js';
import { ENVIRONMENTS } from '../../stacks/config/index.js';
import { containers, synthDeployment, type Container } from '../support/platform-harness.js';

/** What a container's upload at `path` holds, as the program inside reads it. */
const uploaded = (container: Container, path: string) =>
  (container.upload ?? []).find((u) => u.file === path)?.content.replace(/\$\$\{/g, '${') ?? '';
const envOf = (container: Container) => new Map((container.env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));

describe.each(Object.keys(ENVIRONMENTS))('%s: container lifecycle', (environment) => {
  const platform = synthDeployment(environment).all;
  const all = Object.values(containers(platform)) as (Container & { must_run?: boolean; stop_timeout?: number; destroy_grace_seconds?: number })[];
  const named = (suffix: string) => all.filter((c) => c.name.endsWith(suffix) || c.name.includes(`${suffix}-`));

  it('no refresh deletes a stopped container: must_run is false on every container', () => {
    expect(all.length).toBeGreaterThan(0);
    for (const container of all) expect(container.must_run, container.name).toBe(false);
  });

  it('every long-running container stops gracefully on docker stop and on destroy (stop_timeout = destroy_grace_seconds > 10 s, Docker\'s default)', () => {
    // A one-shot container (attach) has exited before the apply goes on: nothing to stop.
    for (const container of all.filter((c) => !(c as { attach?: boolean }).attach)) {
      expect(container.stop_timeout, container.name).toBeGreaterThan(10);
      expect(container.destroy_grace_seconds, container.name).toBe(container.stop_timeout);
    }
  });

  it('each stop grace exceeds the component\'s own shutdown timeout', () => {
    const [filebeat] = named('-filebeat');
    const filebeatTimeout = parseInt(String((parse(uploaded(filebeat!, '/usr/share/filebeat/filebeat.yml')) as Record<string, unknown>)['filebeat.shutdown_timeout']), 10);
    expect(filebeat!.stop_timeout).toBeGreaterThan(filebeatTimeout);

    const [kibana] = named('-kibana');
    const kibanaYml = parse(uploaded(kibana!, '/usr/share/kibana/config/kibana.yml')) as Record<string, unknown>;
    expect(kibanaYml['server.shutdownTimeout']).toBe(`${KIBANA_SHUTDOWN_TIMEOUT_SECONDS}s`);
    expect(kibana!.stop_timeout).toBeGreaterThan(KIBANA_SHUTDOWN_TIMEOUT_SECONDS);

    const [nginx] = named('-nginx');
    expect(uploaded(nginx!, '/etc/nginx/nginx.conf')).toContain(`worker_shutdown_timeout ${NGINX_WORKER_SHUTDOWN_SECONDS}s;`);
    expect(nginx!.stop_timeout).toBeGreaterThan(NGINX_WORKER_SHUTDOWN_SECONDS);

    const services = all.filter((c) => envOf(c).has('SHUTDOWN_TIMEOUT_MS'));
    expect(services.length).toBeGreaterThan(1);
    for (const service of services) expect(service.stop_timeout! * 1000, service.name).toBeGreaterThan(Number(envOf(service).get('SHUTDOWN_TIMEOUT_MS')));

    // No bound of their own (they wait for in-flight work): a generous, documented grace.
    for (const logstash of named('-logstash')) expect(logstash.stop_timeout).toBe(LOGSTASH_STOP_GRACE_SECONDS);
    for (const node of named('-elasticsearch')) expect(node.stop_timeout).toBe(ELASTICSEARCH_STOP_GRACE_SECONDS);
    // go-cron lets a running pg_dump finish before it exits.
    const backups = named('-postgres-backup');
    expect(backups).toHaveLength(1);
    expect(backups[0]!.stop_timeout).toBe(POSTGRES_BACKUP_STOP_GRACE_SECONDS);
    // Metricbeat keeps no queue on disk; it gets the same grace as Filebeat, the other shipper.
    const [metricbeat] = named('-metricbeat');
    expect(metricbeat!.stop_timeout).toBe(METRICBEAT_STOP_GRACE_SECONDS);
    expect(metricbeat!.stop_timeout).toBe(filebeat!.stop_timeout);
  });
});
