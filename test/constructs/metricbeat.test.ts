import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DOCKER_SOCKET_PATH, LOGSTASH_SETTINGS_ENV, METRICBEAT_ENV, metricbeatFiles } from '../../pipelines/index.js';
import { PLATFORM_USERS } from '../../constructs/security/index.js';
import { asUploaded, containerNamed, envOf, isReferenceTo, synthElk, uploadOf, type SynthContainer } from '../support/elk-harness.js';

const METRICBEAT_YML = '/usr/share/metricbeat/metricbeat.yml';

interface MetricbeatContainer extends SynthContainer {
  mounts?: { type: string; source: string; target: string; read_only?: boolean }[];
}

describe('Metricbeat', () => {
  for (const environment of ['dev', 'staging'] as const) {
    describe(environment, () => {
      const { synthesized } = synthElk({ environment });
      const container = containerNamed(synthesized, `elk-${environment}-metricbeat`) as MetricbeatContainer;
      const uploaded = asUploaded(uploadOf(container, METRICBEAT_YML).content);
      const config = parse(uploaded) as Record<string, any>;
      const nodes = environment === 'staging' ? ['elasticsearch-1', 'elasticsearch-2', 'elasticsearch-3'] : ['elasticsearch'];

      it('uploads exactly the config the pipelines renderer produces for this platform, every node monitored', () => {
        const [expected] = metricbeatFiles({
          elasticsearchUrls: nodes.map((n) => `https://${n}:9200`),
          kibanaUrl: 'https://kibana:5601',
          logstashApiUrl: 'http://logstash:9600',
          beatUrls: ['http://filebeat:5066'],
          caCertificatePath: config['output.elasticsearch'].ssl.certificate_authorities[0],
        });
        expect(uploaded).toBe(expected!.content);
        expect(uploadOf(container, METRICBEAT_YML).permissions).toBe('0644');
      });

      it('verifies the cluster and Kibana against the uploaded platform CA', () => {
        const ca = uploadOf(container, config['output.elasticsearch'].ssl.certificate_authorities[0]);
        expect(isReferenceTo(ca.content, 'tls_self_signed_cert', 'cert_pem')).toBe(true);
      });

      it('authenticates as its own monitoring user and as the Logstash API user, both passwords generated', () => {
        const env = envOf(container);
        expect(env.get(METRICBEAT_ENV.monitoringUsername)).toBe(PLATFORM_USERS.monitoring.username);
        expect(isReferenceTo(env.get(METRICBEAT_ENV.monitoringPassword)!, 'random_password', 'result')).toBe(true);
        // The very user and password the Logstash container's API is configured with.
        const logstashEnv = envOf(containerNamed(synthesized, `elk-${environment}-logstash`));
        expect(env.get(METRICBEAT_ENV.logstashApiUsername)).toBe(logstashEnv.get(LOGSTASH_SETTINGS_ENV.apiUsername));
        expect(env.get(METRICBEAT_ENV.logstashApiPassword)).toBe(logstashEnv.get(LOGSTASH_SETTINGS_ENV.apiPassword));
        expect(isReferenceTo(env.get(METRICBEAT_ENV.logstashApiPassword)!, 'random_password', 'result')).toBe(true);
        expect(env.get(METRICBEAT_ENV.logstashApiPassword)).not.toBe(env.get(METRICBEAT_ENV.monitoringPassword));
      });

      it('is healthy only while it can publish (its own binary tests the output), starts after both shippers, is not published', () => {
        const command = container.healthcheck!.test.join(' ');
        expect(command).toContain(`/usr/share/metricbeat/metricbeat test output -c ${METRICBEAT_YML}`);
        expect(command).not.toMatch(/\bcurl\b|\bwget\b/);
        expect(command).toContain('metricbeat -> elasticsearch:');
        expect(container.depends_on?.sort()).toEqual([expect.stringMatching(/^docker_container\.filebeat/), expect.stringMatching(/^docker_container\.logstash/)]);
        expect(container.ports ?? []).toEqual([]);
        expect(container.memory).toBe(256);
      });

      it('mounts nothing from the host and runs as the image\'s own user unless docker metrics are on', () => {
        expect(container.mounts ?? []).toEqual([]);
        expect(container.volumes ?? []).toEqual([]);
        expect(container.user).toBeUndefined();
        expect(config['metricbeat.modules'].map((m: { module: string }) => m.module)).not.toContain('docker');
      });
    });
  }

  it('with monitoring.dockerMetrics mounts the Docker socket and runs as root, and adds the docker module', () => {
    const { synthesized } = synthElk({ settings: { monitoring: { dockerMetrics: true } } });
    const container = containerNamed(synthesized, 'elk-dev-metricbeat') as MetricbeatContainer;
    expect(container.mounts).toEqual([{ type: 'bind', source: DOCKER_SOCKET_PATH, target: DOCKER_SOCKET_PATH, read_only: true }]);
    expect(container.user).toBe('root');
    const config = parse(asUploaded(uploadOf(container, METRICBEAT_YML).content)) as Record<string, any>;
    expect(config['metricbeat.modules'].map((m: { module: string }) => m.module)).toContain('docker');
  });

  it('takes its memory limit from monitoring.memoryMb', () => {
    const { synthesized } = synthElk({ settings: { monitoring: { memoryMb: 512 } } });
    expect(containerNamed(synthesized, 'elk-dev-metricbeat').memory).toBe(512);
  });

  it('refuses a memory limit out of range and a missing monitoring user, naming the setting', () => {
    expect(() => synthElk({ metricbeat: { memoryMb: 16 } })).toThrow(/\/metricbeat: memoryMb must be a whole number of MiB from 64 to 4096 \(got 16\)/);
    expect(() => synthElk({ metricbeat: { monitoringUser: { username: '', password: 'x' } } })).toThrow(/\/metricbeat: monitoringUser\.username is empty/);
  });
});
