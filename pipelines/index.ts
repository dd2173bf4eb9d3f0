/**
 * The log pipeline's public surface: what the Filebeat and Logstash container
 * constructs put into their containers, and the names they must agree on. The log layout
 * itself (paths, sources, data-stream names) is the contract's: `@platform/contract`.
 */
export type { ContainerFile } from './container-file.js';
export {
  FILEBEAT_CLUSTER_UUID_VARIABLE,
  FILEBEAT_CONFIG_PATH,
  FILEBEAT_DATA_DIR,
  FILEBEAT_HTTP_PORT,
  FILEBEAT_SHUTDOWN_TIMEOUT_SECONDS,
  FINGERPRINT_LENGTH,
  filebeatFiles,
  logSources,
  renderFilebeatConfig,
  type FilebeatConfigOptions,
  type LogSource,
  type LogType,
} from './filebeat/filebeat-config.js';
export {
  LOGSTASH_API_PORT,
  LOGSTASH_BEATS_PORT,
  LOGSTASH_CONFIG_DIR,
  LOGSTASH_DATA_DIR,
  LOGSTASH_ENV,
  LOGSTASH_PIPELINE_DIR,
  LOGSTASH_SETTINGS_ENV,
  logstashFiles,
  type LogstashEnvName,
  type LogstashSettingsEnvName,
} from './logstash/logstash-files.js';
export {
  DOCKER_METRICSETS,
  DOCKER_SOCKET_PATH,
  DOCUMENTED_MODULE_OPTIONS,
  METRICBEAT_CONFIG_PATH,
  METRICBEAT_DATA_DIR,
  METRICBEAT_ENV,
  METRICBEAT_PERIOD_SECONDS,
  metricbeatFiles,
  renderMetricbeatConfig,
  type MetricbeatConfigOptions,
  type MetricbeatModuleName,
} from './metricbeat/metricbeat-config.js';
export {
  NGINX_ACCESS_LOG_FIELDS,
  nginxAccessLogFormat,
  type NginxAccessLogFormatOptions,
} from './nginx/access-log-format.js';
