import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DOCKER_METRICSETS, DOCKER_SOCKET_PATH, DOCUMENTED_MODULE_OPTIONS, METRICBEAT_CONFIG_PATH, METRICBEAT_ENV, METRICBEAT_PERIOD_SECONDS, metricbeatFiles, renderMetricbeatConfig, type MetricbeatConfigOptions, type MetricbeatModuleName } from '../../pipelines/index.js';

type Module = Record<string, unknown> & { module: MetricbeatModuleName };

const CA = '/usr/share/metricbeat/certs/ca.crt';
const OPTIONS: MetricbeatConfigOptions = {
  elasticsearchUrls: ['https://elasticsearch-1:9200', 'https://elasticsearch-2:9200', 'https://elasticsearch-3:9200'],
  kibanaUrl: 'https://kibana:5601',
  logstashApiUrl: 'http://logstash:9600',
  beatUrls: ['http://filebeat:5066'],
  caCertificatePath: CA,
};
const render = (opts: Partial<MetricbeatConfigOptions> = {}) => parseYaml(renderMetricbeatConfig({ ...OPTIONS, ...opts })) as Record<string, unknown>;
const modulesOf = (config: Record<string, unknown>) => config['metricbeat.modules'] as Module[];
const moduleNamed = (config: Record<string, unknown>, name: MetricbeatModuleName) => {
  const found = modulesOf(config).filter((m) => m.module === name);
  expect(found, name).toHaveLength(1);
  return found[0]!;
};
/** A module's option names as Metricbeat reads them: nested YAML keys flattened to dotted names, stopping at documented ones. */
const optionNames = (module: Module): string[] => Object.keys(module);

const VERIFIED_TLS = { certificate_authorities: [CA], verification_mode: 'full' };
const MONITORING_USER = { username: `\${${METRICBEAT_ENV.monitoringUsername}}`, password: `\${${METRICBEAT_ENV.monitoringPassword}}` };

describe('metricbeat.yml', () => {
  const config = render();

  it('is YAML with the four Stack Monitoring modules, each in xpack mode at the same period, and no docker module by default', () => {
    expect(modulesOf(config).map((m) => m.module)).toEqual(['elasticsearch', 'kibana', 'logstash', 'beat']);
    for (const module of modulesOf(config)) {
      expect(module['xpack.enabled'], module.module).toBe(true);
      expect(module.period, module.module).toBe(`${METRICBEAT_PERIOD_SECONDS}s`);
      // xpack mode picks the metricsets Stack Monitoring needs; a list here would only add to them.
      expect(module.metricsets, module.module).toBeUndefined();
    }
  });

  it('polls every Elasticsearch node, one host per node, as the monitoring user over TLS verified against the CA', () => {
    expect(moduleNamed(config, 'elasticsearch')).toMatchObject({ hosts: OPTIONS.elasticsearchUrls, scope: 'node', ...MONITORING_USER, ssl: VERIFIED_TLS });
  });

  it('polls Kibana over verified TLS as the monitoring user', () => {
    expect(moduleNamed(config, 'kibana')).toMatchObject({ hosts: [OPTIONS.kibanaUrl], ...MONITORING_USER, ssl: VERIFIED_TLS });
  });

  it('polls the Logstash API with its own basic-auth user, and Filebeat through its HTTP endpoint', () => {
    const logstash = moduleNamed(config, 'logstash');
    expect(logstash).toMatchObject({
      hosts: [OPTIONS.logstashApiUrl],
      username: `\${${METRICBEAT_ENV.logstashApiUsername}}`,
      password: `\${${METRICBEAT_ENV.logstashApiPassword}}`,
    });
    // Plain HTTP endpoints get no TLS block (there is nothing to verify).
    expect(logstash.ssl).toBeUndefined();
    const beat = moduleNamed(config, 'beat');
    expect(beat.hosts).toEqual(OPTIONS.beatUrls);
    expect(beat.ssl).toBeUndefined();
  });

  it('verifies TLS wherever an endpoint speaks it', () => {
    const tls = render({ logstashApiUrl: 'https://logstash:9600', beatUrls: ['https://filebeat:5066'] });
    expect(moduleNamed(tls, 'logstash').ssl).toEqual(VERIFIED_TLS);
    expect(moduleNamed(tls, 'beat').ssl).toEqual(VERIFIED_TLS);
  });

  it('writes to every node of the same cluster over verified TLS as the monitoring user, and to nowhere else', () => {
    expect(Object.keys(config).filter((k) => k.startsWith('output.'))).toEqual(['output.elasticsearch']);
    expect(config['output.elasticsearch']).toEqual({ hosts: OPTIONS.elasticsearchUrls, ...MONITORING_USER, ssl: VERIFIED_TLS });
  });

  it('writes every block out in full, without YAML anchors or aliases', () => {
    expect(renderMetricbeatConfig(OPTIONS)).not.toMatch(/[&*]a\d/);
  });

  it('holds no secret: every credential is an environment reference', () => {
    const text = renderMetricbeatConfig(OPTIONS);
    for (const module of [...modulesOf(config), config['output.elasticsearch'] as Record<string, unknown>]) {
      for (const key of ['username', 'password']) if (key in module) expect(String(module[key])).toMatch(/^\$\{[A-Z_]+\}$/);
    }
    for (const line of text.split('\n').filter((l) => /password:/.test(l))) expect(line).toMatch(/password: ["']?\$\{[A-Z_]+\}["']?$/);
  });

  it('loads no template or ILM policy of its own while only the Stack Monitoring modules run', () => {
    expect(config['setup.template.enabled']).toBe(false);
    expect(config['setup.ilm.enabled']).toBe(false);
    expect(config['monitoring.enabled']).toBe(false);
  });

  it('adds the docker module on the Docker socket only when asked, and then sets up its own data stream', () => {
    const docker = render({ dockerMetrics: true });
    expect(moduleNamed(docker, 'docker')).toEqual({
      module: 'docker',
      metricsets: [...DOCKER_METRICSETS],
      hosts: [`unix://${DOCKER_SOCKET_PATH}`],
      period: `${METRICBEAT_PERIOD_SECONDS}s`,
      enabled: true,
    });
    expect(docker['setup.template.enabled']).toBe(true);
    expect(docker['setup.ilm.enabled']).toBe(true);
    expect(modulesOf(render({ dockerMetrics: false })).map((m) => m.module)).not.toContain('docker');
  });

  it.each([false, true])('sets only options the pinned Beats docs list for each module (docker metrics %s)', (dockerMetrics) => {
    for (const module of modulesOf(render({ dockerMetrics }))) {
      const documented = DOCUMENTED_MODULE_OPTIONS[module.module];
      expect(documented, module.module).toBeDefined();
      for (const option of optionNames(module)) expect(documented, `${module.module}.${option}`).toContain(option);
    }
  });

  it('the documented-options table catches an option a module does not have', () => {
    // `scope` is the elasticsearch module's own; the kibana module documents no such option.
    expect(DOCUMENTED_MODULE_OPTIONS.elasticsearch).toContain('scope');
    expect(DOCUMENTED_MODULE_OPTIONS.kibana).not.toContain('scope');
    expect(DOCUMENTED_MODULE_OPTIONS.docker).not.toContain('xpack.enabled');
  });

  it('lists only the docker module\'s documented metricsets', () => {
    const documented = ['container', 'cpu', 'diskio', 'event', 'healthcheck', 'image', 'info', 'memory', 'network', 'network_summary'];
    for (const metricset of DOCKER_METRICSETS) expect(documented).toContain(metricset);
  });

  it.each([
    [{ elasticsearchUrls: [] }, /elasticsearchUrls is empty/],
    [{ elasticsearchUrls: ['http://elasticsearch:9200'] }, /elasticsearchUrls entry "http:\/\/elasticsearch:9200" must be "https:\/\/host:port"/],
    [{ kibanaUrl: 'http://kibana:5601' }, /kibanaUrl "http:\/\/kibana:5601" must be "https:\/\/host:port"/],
    [{ logstashApiUrl: 'logstash:9600' }, /logstashApiUrl "logstash:9600" must be "http\(s\):\/\/host:port"/],
    [{ beatUrls: [] }, /beatUrls is empty/],
    [{ beatUrls: ['filebeat'] }, /beatUrls entry "filebeat"/],
    [{ caCertificatePath: 'certs/ca.crt' }, /caCertificatePath "certs\/ca.crt" must be an absolute path/],
  ])('refuses bad options %o, naming the setting', (override, message) => {
    expect(() => renderMetricbeatConfig({ ...OPTIONS, ...override })).toThrow(message);
  });

  it('is put at the path the Metricbeat image reads', () => {
    expect(metricbeatFiles(OPTIONS)).toEqual([{ path: METRICBEAT_CONFIG_PATH, content: renderMetricbeatConfig(OPTIONS) }]);
    expect(METRICBEAT_CONFIG_PATH).toBe('/usr/share/metricbeat/metricbeat.yml');
  });
});
