import { ValidationError } from '../../constructs/private/validation.js';
import { stringify } from 'yaml';
import {
  ENVIRONMENT_NAME_PATTERN,
  NGINX_ACCESS_LOG_PATH,
  NGINX_ERROR_LOG_PATH,
  NGINX_LOG_SOURCE,
  serviceLogGlob,
  type ServiceDeclaration,
} from '@platform/contract';
import type { ContainerFile } from '../container-file.js';

/** Where the official Filebeat image reads its configuration. */
export const FILEBEAT_CONFIG_PATH = '/usr/share/filebeat/filebeat.yml';

/** Filebeat's data directory; the registry (read offsets) lives here, so it must be a volume: no loss, no duplicates on restart. */
export const FILEBEAT_DATA_DIR = '/usr/share/filebeat/data';

/** Environment variable that carries the cluster's UUID into Filebeat (filebeat.yml refers to it). */
export const FILEBEAT_CLUSTER_UUID_VARIABLE = 'MONITORING_CLUSTER_UUID';

/**
 * Port of Filebeat's HTTP monitoring endpoint (`http.*`), which Metricbeat's `beat` module polls
 * for Stack Monitoring (elastic/beats metricbeat/module/beat/_meta/config-xpack.yml uses 5066).
 */
export const FILEBEAT_HTTP_PORT = 5066;

/**
 * Seconds Filebeat waits on stop for events in flight to be acknowledged by Logstash
 * (`filebeat.shutdown_timeout`); unacknowledged ones are sent again after a restart.
 * The container's stop grace must exceed it.
 */
export const FILEBEAT_SHUTDOWN_TIMEOUT_SECONDS = 10;

/** The shape of a log source, as the Logstash pipeline reads it from `[fields][log_type]`. */
export type LogType = 'service' | 'nginx_access' | 'nginx_error';

/** One Filebeat input: a set of files that all belong to one source. */
export interface LogSource {
  /** Stable filestream id; Filebeat keys its registry state on it, so it must never change. */
  readonly id: string;
  /** Data-stream source name: a catalog service name or {@link NGINX_LOG_SOURCE}. */
  readonly source: string;
  readonly type: LogType;
  /** Glob(s) of the files, inside the shared log volume. */
  readonly paths: readonly string[];
}

export interface FilebeatConfigOptions {
  /** The services whose log files are shipped (normally the catalog's SERVICES). */
  readonly services: readonly ServiceDeclaration[];
  /** Platform environment (e.g. `dev`); stamped on every event, it names the data stream. */
  readonly environment: string;
  /** Logstash beats endpoints as `host:port`, e.g. `elk-dev-logstash:5044`. At least one. */
  readonly logstashHosts: readonly string[];
  /**
   * Path, inside the Filebeat container, of the PEM CA that signed Logstash's
   * certificate. TLS with full verification is always on; without a CA path the
   * system trust store is used (which will not trust the platform's private CA).
   */
  readonly caCertificatePath?: string;
  /**
   * `monitoring.cluster_uuid`: the cluster Stack Monitoring lists this Filebeat under. Filebeat
   * ships to Logstash, so it cannot learn the UUID from its output (elastic/beats
   * docs/reference/filebeat/monitoring-metricbeat-collection.md, "Configure cluster UUID"). A value
   * or a `${VAR}` reference Filebeat expands from its environment.
   * @default unset: Stack Monitoring lists it under "Standalone cluster"
   */
  readonly monitoringClusterUuid?: string;
}

/** Every file Filebeat reads: one input per service (its replicas' files), plus nginx's access and error logs. */
export function logSources(services: readonly ServiceDeclaration[]): LogSource[] {
  return [
    ...services.map((service) => ({
      id: `${service.name}-json`,
      source: service.name,
      type: 'service' as const,
      paths: [serviceLogGlob(service.name)],
    })),
    { id: 'nginx-access-json', source: NGINX_LOG_SOURCE, type: 'nginx_access', paths: [NGINX_ACCESS_LOG_PATH] },
    { id: 'nginx-error', source: NGINX_LOG_SOURCE, type: 'nginx_error', paths: [NGINX_ERROR_LOG_PATH] },
  ];
}

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;

function validate(opts: FilebeatConfigOptions): void {
  if (opts.services.length === 0) {
    throw new ValidationError('renderFilebeatConfig', 'services is empty; pass the catalog (SERVICES) so every service log is shipped');
  }
  if (!ENVIRONMENT_NAME_PATTERN.test(opts.environment)) {
    throw new ValidationError('renderFilebeatConfig', `environment "${opts.environment}" is not a valid environment name (2-16 lower-case letters or digits)`);
  }
  if (opts.logstashHosts.length === 0) {
    throw new ValidationError('renderFilebeatConfig', 'logstashHosts is empty; give at least one "host:port" of the Logstash beats input');
  }
  for (const host of opts.logstashHosts) {
    if (!HOST_PORT.test(host)) {
      throw new ValidationError('renderFilebeatConfig', `logstashHosts entry "${host}" must be "host:port", e.g. "elk-dev-logstash:5044"`);
    }
  }
  if (opts.caCertificatePath !== undefined && !opts.caCertificatePath.startsWith('/')) {
    throw new ValidationError('renderFilebeatConfig', `caCertificatePath "${opts.caCertificatePath}" must be an absolute path inside the Filebeat container`);
  }
}

/**
 * Bytes at the start of a file that identify it (filestream's default `fingerprint` file
 * identity); Filebeat ships nothing from a file until it is at least this long. The 1024
 * default would hold back a lone nginx error line, or the first lines after a rotation.
 * - service files: 256 bytes still cover a line's `@timestamp`, `process.pid` and
 *   `host.hostname` (the replica), so two replicas' files never share a fingerprint;
 * - nginx: one file per log that is never rotated inside the container, so the minimum is safe.
 */
export const FINGERPRINT_LENGTH: Readonly<Record<LogType, number>> = { service: 256, nginx_access: 64, nginx_error: 64 };

function filestreamInput(source: LogSource, environment: string): Record<string, unknown> {
  return {
    type: 'filestream',
    id: source.id,
    paths: [...source.paths],
    'prospector.scanner.fingerprint.length': FINGERPRINT_LENGTH[source.type],
    // Routing hints for Logstash (it removes them before indexing).
    fields: { log_source: source.source, log_type: source.type, log_environment: environment },
    fields_under_root: false,
    // JSON lines arrive as fields at the event root; their own keys (ECS) win over Filebeat's.
    // A line that is not JSON keeps its text in `message` and gets error.type "json",
    // which the Logstash pipeline sends through its plain-text fallback.
    ...(source.type === 'nginx_error'
      ? {}
      : { parsers: [{ ndjson: { target: '', overwrite_keys: true, expand_keys: true, add_error_key: true } }] }),
  };
}

/** filebeat.yml for the platform: one filestream input per log source, shipping to Logstash over verified TLS. */
export function renderFilebeatConfig(opts: FilebeatConfigOptions): string {
  validate(opts);
  const config = {
    'filebeat.inputs': logSources(opts.services).map((source) => filestreamInput(source, opts.environment)),
    'path.data': FILEBEAT_DATA_DIR,
    'filebeat.registry.path': `${FILEBEAT_DATA_DIR}/registry`,
    // On stop, wait for in-flight events to be acknowledged so they are not sent twice after a restart.
    'filebeat.shutdown_timeout': `${FILEBEAT_SHUTDOWN_TIMEOUT_SECONDS}s`,
    'output.logstash': {
      hosts: [...opts.logstashHosts],
      loadbalance: opts.logstashHosts.length > 1,
      ssl: {
        enabled: true,
        verification_mode: 'full',
        ...(opts.caCertificatePath ? { certificate_authorities: [opts.caCertificatePath] } : {}),
      },
    },
    // The stats endpoint, on every interface of the container so Metricbeat reaches it over the
    // private network (it is not published). It has no authentication and serves read-only
    // stats and state, no events and no secrets (README, Known limits).
    'http.enabled': true,
    'http.host': '0.0.0.0',
    'http.port': FILEBEAT_HTTP_PORT,
    ...(opts.monitoringClusterUuid ? { 'monitoring.cluster_uuid': opts.monitoringClusterUuid } : {}),
    'logging.level': 'info',
    'logging.to_stderr': true,
    'logging.json': true,
  };
  return `# Generated by pipelines/filebeat/filebeat-config.ts from the service catalog; do not edit in the container.\n${stringify(config)}`;
}

/** The files the Filebeat container needs: its filebeat.yml. */
export function filebeatFiles(opts: FilebeatConfigOptions): ContainerFile[] {
  return [{ path: FILEBEAT_CONFIG_PATH, content: renderFilebeatConfig(opts) }];
}
