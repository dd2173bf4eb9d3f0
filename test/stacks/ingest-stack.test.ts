import { App, Testing } from 'cdktf';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FILEBEAT_CLUSTER_UUID_VARIABLE, METRICBEAT_ENV } from '../../pipelines/index.js';
import { createStacks } from '../../stacks/app.js';
import { loadEnvironmentConfig, resolveEnvironmentConfig } from '../../stacks/config/index.js';

interface IngestContainer {
  name: string;
  env?: string[];
  user?: string;
  mounts?: unknown[];
  depends_on?: string[];
  upload?: { file: string; content: string }[];
}

const ENVIRONMENTS = ['dev', 'staging'] as const;
const synthIngest = (config: ReturnType<typeof loadEnvironmentConfig>) => {
  const json = Testing.synth(createStacks(Testing.app(), config).ingest);
  return { json, tf: JSON.parse(json) as { resource: { docker_container: Record<string, IngestContainer> } } };
};

describe.each(ENVIRONMENTS)('%s-ingest stack', (env) => {
  const { json, tf } = synthIngest(loadEnvironmentConfig(env));
  const containers = Object.entries(tf.resource.docker_container);
  const named = (suffix: string) => {
    const found = containers.find(([, c]) => c.name === `elk-${env}-${suffix}`);
    if (!found) throw new Error(`no elk-${env}-${suffix}`);
    return { id: found[0], container: found[1] };
  };

  it('matches its snapshot', () => {
    expect(json).toMatchSnapshot();
  });

  it('runs Logstash, Filebeat, Metricbeat and APM Server, Metricbeat starting once both shippers are healthy', () => {
    expect(containers.map(([, c]) => c.name).sort()).toEqual([`elk-${env}-apm-server`, `elk-${env}-filebeat`, `elk-${env}-logstash`, `elk-${env}-metricbeat`]);
    expect(named('metricbeat').container.depends_on?.sort()).toEqual(
      [`docker_container.${named('filebeat').id}`, `docker_container.${named('logstash').id}`].sort(),
    );
  });

  it('takes the monitoring user\'s password from the platform stack\'s outputs, never as a value', () => {
    // The whole app, as `cdktf synth` writes it: cross-stack references become remote-state reads.
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'ingest-stack-')), stackTraces: false, skipValidation: true });
    createStacks(app, loadEnvironmentConfig(env));
    app.synth();
    let written: { resource: { docker_container: Record<string, IngestContainer> } };
    try {
      written = JSON.parse(readFileSync(join(app.outdir, 'stacks', `${env}-ingest`, 'cdk.tf.json'), 'utf8'));
    } finally {
      rmSync(app.outdir, { recursive: true, force: true });
    }
    const metricbeat = Object.values(written.resource.docker_container).find((c) => c.name === `elk-${env}-metricbeat`)!;
    const env_ = new Map((metricbeat.env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    expect(env_.get(METRICBEAT_ENV.monitoringUsername)).toBe('platform_metricbeat');
    expect(env_.get(METRICBEAT_ENV.monitoringPassword)).toMatch(/^\$\{data\.terraform_remote_state\.cross-stack-reference-input-[\w-]+\.outputs\.[^}]+\}$/);
    // Filebeat reports the cluster's UUID, which the elastic stack reads (elasticstack_elasticsearch_info).
    const filebeat = Object.values(written.resource.docker_container).find((c) => c.name === `elk-${env}-filebeat`)!;
    expect(filebeat.env).toEqual([expect.stringMatching(new RegExp(`^${FILEBEAT_CLUSTER_UUID_VARIABLE}=\\$\\{data\\.terraform_remote_state\\.cross-stack-reference-input-${env}-elastic\\.outputs\\.[^}]+\\}$`))]);
    const filebeatYml = parse(filebeat.upload!.find((u) => u.file === '/usr/share/filebeat/filebeat.yml')!.content.replace(/\$\$\{/g, '${')) as Record<string, unknown>;
    expect(filebeatYml['monitoring.cluster_uuid']).toBe(`\${${FILEBEAT_CLUSTER_UUID_VARIABLE}}`);
  });

  it('monitors every Elasticsearch node of the environment and writes back to them', () => {
    const upload = named('metricbeat').container.upload!.find((u) => u.file === '/usr/share/metricbeat/metricbeat.yml')!;
    const config = parse(upload.content.replace(/\$\$\{/g, '${')) as Record<string, any>;
    const nodes = env === 'staging' ? ['elasticsearch-1', 'elasticsearch-2', 'elasticsearch-3'] : ['elasticsearch'];
    const urls = nodes.map((n) => `https://${n}:9200`);
    expect(config['metricbeat.modules'].find((m: { module: string }) => m.module === 'elasticsearch').hosts).toEqual(urls);
    expect(config['output.elasticsearch'].hosts).toEqual(urls);
  });
});

describe('monitoring.dockerMetrics', () => {
  it('is the only way the Docker socket reaches a container of the deployment', () => {
    const off = synthIngest(loadEnvironmentConfig('dev'));
    expect(off.json).not.toContain('docker.sock');
    const on = synthIngest(resolveEnvironmentConfig('dev', { monitoring: { dockerMetrics: true } }));
    const withSocket = Object.values(on.tf.resource.docker_container).filter((c) => JSON.stringify(c.mounts ?? []).includes('/var/run/docker.sock'));
    expect(withSocket.map((c) => c.name)).toEqual(['elk-dev-metricbeat']);
    expect(withSocket[0]!.user).toBe('root');
  });
});
