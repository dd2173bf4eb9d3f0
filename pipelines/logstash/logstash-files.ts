import { readFileSync } from 'node:fs';
import type { ContainerFile } from '../container-file.js';

/** Port the pipeline's beats input listens on (TLS); Filebeat ships here. Also written in platform-logs.conf, a test keeps them equal. */
export const LOGSTASH_BEATS_PORT = 5044;

/** Port of Logstash's monitoring API (healthcheck: `GET /` answers once pipelines run). Also in logstash.yml, a test keeps them equal. */
export const LOGSTASH_API_PORT = 9600;

/** Logstash's data directory: the persistent queue and the dead-letter queue live here, so it must be a volume. */
export const LOGSTASH_DATA_DIR = '/usr/share/logstash/data';

/** Where the Logstash image reads `logstash.yml` and `pipelines.yml`. */
export const LOGSTASH_CONFIG_DIR = '/usr/share/logstash/config';

/** Where `pipelines.yml` points Logstash for the pipeline definitions. */
export const LOGSTASH_PIPELINE_DIR = '/usr/share/logstash/pipeline';

/**
 * The environment variables the pipeline reads (`${NAME}` references in
 * platform-logs.conf). The Logstash construct must set every one of them:
 * Logstash refuses to start when a referenced variable is undefined.
 */
export const LOGSTASH_ENV = {
  /** Space-separated Elasticsearch URLs, e.g. `https://es-1:9200 https://es-2:9200`. */
  elasticsearchHosts: 'ELASTICSEARCH_HOSTS',
  /** File-realm user the pipeline writes as (least privilege: create_doc on `logs-*`). */
  writerUsername: 'LOGSTASH_WRITER_USERNAME',
  /** Its password (generated; a Terraform token until apply). */
  writerPassword: 'LOGSTASH_WRITER_PASSWORD',
  /** Path, inside the container, of the PEM CA that signed Elasticsearch's HTTP certificate. */
  elasticsearchCaPath: 'ELASTICSEARCH_CA_PATH',
  /** Path of the PEM certificate the beats input presents to Filebeat (SAN: Logstash's network alias). */
  beatsCertificatePath: 'BEATS_TLS_CERTIFICATE_PATH',
  /** Path of its private key, PEM **PKCS#8** (tls_private_key.private_key_pem_pkcs8); the beats input rejects PKCS#1. */
  beatsKeyPath: 'BEATS_TLS_KEY_PATH',
  /** The platform environment (e.g. `dev`), used when Filebeat did not stamp one on an event. */
  platformEnvironment: 'PLATFORM_ENVIRONMENT',
} as const;

export type LogstashEnvName = (typeof LOGSTASH_ENV)[keyof typeof LOGSTASH_ENV];

/**
 * The environment variables logstash.yml reads (Logstash resolves `${NAME}` in its settings
 * file as in pipelines): the monitoring API's basic-auth user and password.
 */
export const LOGSTASH_SETTINGS_ENV = {
  apiUsername: 'LOGSTASH_API_USERNAME',
  apiPassword: 'LOGSTASH_API_PASSWORD',
} as const;

export type LogstashSettingsEnvName = (typeof LOGSTASH_SETTINGS_ENV)[keyof typeof LOGSTASH_SETTINGS_ENV];

/** The files under pipelines/logstash/ that Logstash runs with, by container path. */
const LOGSTASH_SOURCE_FILES: ReadonlyArray<{ readonly source: string; readonly path: string }> = [
  { source: 'logstash.yml', path: `${LOGSTASH_CONFIG_DIR}/logstash.yml` },
  { source: 'pipelines.yml', path: `${LOGSTASH_CONFIG_DIR}/pipelines.yml` },
  { source: 'platform-logs.conf', path: `${LOGSTASH_PIPELINE_DIR}/platform-logs.conf` },
  { source: 'dead-letters.conf', path: `${LOGSTASH_PIPELINE_DIR}/dead-letters.conf` },
];

/** Reads one of the files in this directory (pipelines/logstash/) as text. */
export function readLogstashSource(fileName: string): string {
  return readFileSync(new URL(`./${fileName}`, import.meta.url), 'utf8');
}

/**
 * The exact contents of the Logstash settings and pipeline files, mapped to
 * where the official Logstash image reads them. The Logstash construct uploads
 * each one; editing a file here changes the synthesized stack.
 */
export function logstashFiles(): ContainerFile[] {
  return LOGSTASH_SOURCE_FILES.map(({ source, path }) => ({ path, content: readLogstashSource(source) }));
}
