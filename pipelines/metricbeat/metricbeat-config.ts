import { stringify } from 'yaml';
import { ValidationError } from '../../constructs/private/validation.js';
import type { ContainerFile } from '../container-file.js';

/** Where the official Metricbeat image reads its configuration. */
export const METRICBEAT_CONFIG_PATH = '/usr/share/metricbeat/metricbeat.yml';

/** Metricbeat's data directory (its `meta.json` identity); it keeps no queue on disk. */
export const METRICBEAT_DATA_DIR = '/usr/share/metricbeat/data';

/** The Docker Engine socket inside the Metricbeat container, when container metrics are on. */
export const DOCKER_SOCKET_PATH = '/var/run/docker.sock';

/**
 * How often each module polls (`period`). Stack Monitoring's own charts assume 10s buckets
 * (the period in every `_meta/config-xpack.yml` of elastic/beats), and the cluster-health rule
 * counts on at least one `cluster_stats` document per minute.
 */
export const METRICBEAT_PERIOD_SECONDS = 10;

/**
 * Environment variables that carry the secrets into Metricbeat; metricbeat.yml refers to
 * them as `${NAME}` (Beats expand environment variables in their config), so the uploaded
 * file holds none.
 */
export const METRICBEAT_ENV = {
  /** The monitoring user (remote_monitoring_collector + remote_monitoring_agent). */
  monitoringUsername: 'MONITORING_USERNAME',
  monitoringPassword: 'MONITORING_PASSWORD',
  /** Logstash's API basic-auth user. */
  logstashApiUsername: 'LOGSTASH_API_USERNAME',
  logstashApiPassword: 'LOGSTASH_API_PASSWORD',
} as const;

export interface MetricbeatConfigOptions {
  /** Every Elasticsearch node's HTTPS URL: the `elasticsearch` module polls each (`scope: node`) and the output writes to them. */
  readonly elasticsearchUrls: readonly string[];
  /** Kibana's HTTPS URL inside the network, e.g. `https://kibana:5601`. */
  readonly kibanaUrl: string;
  /** Logstash's monitoring API URL inside the network, e.g. `http://logstash:9600`. */
  readonly logstashApiUrl: string;
  /** HTTP endpoints of the Beats to monitor (Filebeat's `http.*` endpoint), e.g. `http://filebeat:5066`. */
  readonly beatUrls: readonly string[];
  /** Path, inside the Metricbeat container, of the platform CA (PEM) every HTTPS hop is verified against. */
  readonly caCertificatePath: string;
  /**
   * Also collect container metrics through the Docker socket (the `docker` module). The socket
   * grants root on the Docker host.
   * @default false
   */
  readonly dockerMetrics?: boolean;
}

/**
 * The options of each module this platform may set, as the pinned Beats docs list them, and
 * which the renderer uses. Tests hold the rendered modules to this table.
 * - standard options (every module): `module`, `metricsets`, `enabled`, `period`, `hosts`, `fields`,
 *   `tags`, `processors`, `index`, `keep_null`, `service.name`; HTTP modules also `username`,
 *   `password`, `connect_timeout`, `timeout`, `ssl`, `headers`, `bearer_token_file`, `basepath`,
 *   `query` (elastic/beats docs/reference/metricbeat/configuration-metricbeat.md, "Standard config
 *   options" and "Standard HTTP config options");
 * - `xpack.enabled` on elasticsearch, kibana, logstash and beat (each module's
 *   metricbeat/module/<module>/_meta/config-xpack.yml); `scope` and `api_key` on elasticsearch
 *   (docs/reference/metricbeat/metricbeat-module-elasticsearch.md, "Module-specific configuration notes");
 * - docker: `labels.dedot`, `podman`, `skip_major`, `cpu.cores` besides the standard ones
 *   (docs/reference/metricbeat/metricbeat-module-docker.md).
 */
const STANDARD_OPTIONS = ['module', 'metricsets', 'enabled', 'period', 'hosts', 'fields', 'tags', 'processors', 'index', 'keep_null', 'service.name'] as const;
const HTTP_OPTIONS = ['username', 'password', 'connect_timeout', 'timeout', 'ssl', 'headers', 'bearer_token_file', 'basepath', 'query'] as const;
export const DOCUMENTED_MODULE_OPTIONS: Readonly<Record<MetricbeatModuleName, readonly string[]>> = {
  elasticsearch: [...STANDARD_OPTIONS, ...HTTP_OPTIONS, 'xpack.enabled', 'scope', 'api_key', 'index_recovery.active_only', 'ingest_pipeline.processor_sample_rate'],
  kibana: [...STANDARD_OPTIONS, ...HTTP_OPTIONS, 'xpack.enabled'],
  logstash: [...STANDARD_OPTIONS, ...HTTP_OPTIONS, 'xpack.enabled'],
  beat: [...STANDARD_OPTIONS, ...HTTP_OPTIONS, 'xpack.enabled'],
  docker: [...STANDARD_OPTIONS, 'ssl', 'labels.dedot', 'podman', 'skip_major', 'cpu.cores'],
};

/** The modules the platform runs. */
export type MetricbeatModuleName = 'elasticsearch' | 'kibana' | 'logstash' | 'beat' | 'docker';

/**
 * The docker module's default metricsets (docs/reference/metricbeat/metricbeat-module-docker.md:
 * "container, cpu, diskio, healthcheck, info, memory and network"); `event` and `image` stay off.
 */
export const DOCKER_METRICSETS = ['container', 'cpu', 'diskio', 'healthcheck', 'info', 'memory', 'network'] as const;

const HTTPS_URL = /^https:\/\/[A-Za-z0-9.-]+:\d{1,5}$/;
const HTTP_URL = /^https?:\/\/[A-Za-z0-9.-]+:\d{1,5}$/;

function validate(opts: MetricbeatConfigOptions): void {
  const where = 'renderMetricbeatConfig';
  if (opts.elasticsearchUrls.length === 0) {
    throw new ValidationError(where, 'elasticsearchUrls is empty; give every Elasticsearch node\'s URL (ElasticsearchCluster.internalUrls)');
  }
  for (const url of opts.elasticsearchUrls) {
    if (!HTTPS_URL.test(url)) throw new ValidationError(where, `elasticsearchUrls entry "${url}" must be "https://host:port": the cluster is reached over TLS only`);
  }
  if (!HTTPS_URL.test(opts.kibanaUrl)) throw new ValidationError(where, `kibanaUrl "${opts.kibanaUrl}" must be "https://host:port": Kibana serves HTTPS only`);
  if (!HTTP_URL.test(opts.logstashApiUrl)) throw new ValidationError(where, `logstashApiUrl "${opts.logstashApiUrl}" must be "http(s)://host:port", e.g. "http://logstash:9600"`);
  if (opts.beatUrls.length === 0) throw new ValidationError(where, 'beatUrls is empty; give Filebeat\'s HTTP endpoint, e.g. "http://filebeat:5066"');
  for (const url of opts.beatUrls) {
    if (!HTTP_URL.test(url)) throw new ValidationError(where, `beatUrls entry "${url}" must be "http(s)://host:port", e.g. "http://filebeat:5066"`);
  }
  if (!opts.caCertificatePath.startsWith('/')) {
    throw new ValidationError(where, `caCertificatePath "${opts.caCertificatePath}" must be an absolute path inside the Metricbeat container`);
  }
}

const env = (name: string) => `\${${name}}`;

/** metricbeat.yml for the platform: Stack Monitoring modules (and, opted in, Docker), writing to the cluster over verified TLS. */
export function renderMetricbeatConfig(opts: MetricbeatConfigOptions): string {
  validate(opts);
  const period = `${METRICBEAT_PERIOD_SECONDS}s`;
  // verification_mode full is the Beats default; written out so no edit can drop it unnoticed.
  const verifiedTls = { certificate_authorities: [opts.caCertificatePath], verification_mode: 'full' };
  const monitoringUser = { username: env(METRICBEAT_ENV.monitoringUsername), password: env(METRICBEAT_ENV.monitoringPassword) };
  // A URL's scheme decides whether the module speaks TLS; `ssl` is given only where it does.
  const tlsFor = (url: string) => (url.startsWith('https://') ? { ssl: verifiedTls } : {});

  const modules: Record<string, unknown>[] = [
    {
      module: 'elasticsearch',
      // With xpack.enabled the module runs the metricsets Stack Monitoring needs and writes to
      // .monitoring-es-8-mb (docs/reference/metricbeat/metricbeat-module-elasticsearch.md,
      // "Usage for Stack Monitoring"; metricbeat/helper/elastic/elastic.go MakeXPackMonitoringIndexName).
      'xpack.enabled': true,
      period,
      hosts: [...opts.elasticsearchUrls],
      // `node` (the default, written out): each host is one node; cluster-wide metricsets run on the elected master only.
      scope: 'node',
      ...monitoringUser,
      ssl: verifiedTls,
    },
    { module: 'kibana', 'xpack.enabled': true, period, hosts: [opts.kibanaUrl], ...monitoringUser, ssl: verifiedTls },
    {
      module: 'logstash',
      'xpack.enabled': true,
      period,
      hosts: [opts.logstashApiUrl],
      username: env(METRICBEAT_ENV.logstashApiUsername),
      password: env(METRICBEAT_ENV.logstashApiPassword),
      ...tlsFor(opts.logstashApiUrl),
    },
    // Filebeat's HTTP endpoint has no authentication of its own; it answers on the private network only.
    { module: 'beat', 'xpack.enabled': true, period, hosts: [...opts.beatUrls], ...(opts.beatUrls.some((u) => u.startsWith('https://')) ? { ssl: verifiedTls } : {}) },
  ];
  if (opts.dockerMetrics) {
    modules.push({ module: 'docker', metricsets: [...DOCKER_METRICSETS], hosts: [`unix://${DOCKER_SOCKET_PATH}`], period, enabled: true });
  }

  const config = {
    'metricbeat.modules': modules,
    'path.data': METRICBEAT_DATA_DIR,
    'output.elasticsearch': {
      hosts: [...opts.elasticsearchUrls],
      ...monitoringUser,
      ssl: verifiedTls,
    },
    // The Stack Monitoring modules name their own .monitoring-* data streams, whose templates
    // Elasticsearch installs itself; only the docker module writes Metricbeat's own
    // metricbeat-<version> data stream, so only then does Metricbeat load its template and ILM policy.
    'setup.template.enabled': opts.dockerMetrics === true,
    'setup.ilm.enabled': opts.dockerMetrics === true,
    // Metricbeat is itself not monitored (no self-collection into the cluster).
    'monitoring.enabled': false,
    'logging.level': 'info',
    'logging.to_stderr': true,
    'logging.json': true,
  };
  // Every block written out in full: no YAML anchors and aliases for the repeated TLS settings.
  return `# Generated by pipelines/metricbeat/metricbeat-config.ts; do not edit in the container.\n${stringify(config, { aliasDuplicateObjects: false })}`;
}

/** The files the Metricbeat container needs: its metricbeat.yml. */
export function metricbeatFiles(opts: MetricbeatConfigOptions): ContainerFile[] {
  return [{ path: METRICBEAT_CONFIG_PATH, content: renderMetricbeatConfig(opts) }];
}
