/**
 * Where log lines are written and which data stream they land in. The services write
 * (serviceLogFile), nginx writes (NGINX_*_LOG_PATH), Filebeat reads (serviceLogGlob and the
 * nginx paths) and Logstash routes by source (a service name, NGINX_LOG_SOURCE,
 * UNROUTED_LOG_SOURCE, DEAD_LETTER_LOG_SOURCE) into dataStreamName(source, environment).
 */

/** Mount point of the shared log volume in services, nginx and Filebeat. */
export const LOG_ROOT = '/var/log/platform';

/** Directory a service's replicas write their JSON log files into (one file per replica, rotated in place). */
export function serviceLogDir(serviceName: string): string {
  return `${LOG_ROOT}/${serviceName}`;
}

/** The `LOG_FILE` of one replica: `<dir>/<replica>.log` (a symlink to the file being written, see services/README.md). */
export function serviceLogFile(serviceName: string, replica: string): string {
  return `${serviceLogDir(serviceName)}/${replica}.log`;
}

/** The glob Filebeat reads a service's files with: every replica's rotated files (Filebeat skips the symlinks). */
export function serviceLogGlob(serviceName: string): string {
  return `${serviceLogDir(serviceName)}/*.log`;
}

/** The source name of nginx's lines (services use their catalog name). */
export const NGINX_LOG_SOURCE = 'nginx';

/** Directory nginx writes `access.log` (JSON) and `error.log` into. */
export const NGINX_LOG_DIR = `${LOG_ROOT}/${NGINX_LOG_SOURCE}`;

/** File nginx writes its JSON access log to (`access_log` directive). */
export const NGINX_ACCESS_LOG_PATH = `${NGINX_LOG_DIR}/access.log`;

/** File nginx writes its error log to (`error_log` directive). */
export const NGINX_ERROR_LOG_PATH = `${NGINX_LOG_DIR}/error.log`;

/** Source of lines no Filebeat input stamped (`logs-unknown-<environment>`), routed there by platform-logs.conf. */
export const UNROUTED_LOG_SOURCE = 'unknown';

/** Source of the data stream refused events are kept in (`logs-deadletter-<environment>`), by the dead-letters pipeline. */
export const DEAD_LETTER_LOG_SOURCE = 'deadletter';

/** The data stream a source's log lines land in. */
export function dataStreamName(source: string, environment: string): string {
  return `logs-${source}-${environment}`;
}
