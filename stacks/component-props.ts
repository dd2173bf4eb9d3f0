import type { ElasticsearchProps } from '../constructs/elasticsearch.js';
import type { FastifyServiceProps } from '../constructs/fastify-service.js';
import type { Filebeat, FilebeatProps } from '../constructs/filebeat.js';
import type { MetricbeatProps } from '../constructs/metricbeat.js';
import type { KibanaProps } from '../constructs/kibana.js';
import type { LogstashProps } from '../constructs/logstash.js';
import { APM_SERVER_URL, type ApmServerProps } from '../constructs/apm-server.js';
import type { ServiceTracing } from '../constructs/fastify-service.js';
import type { NginxProps } from '../constructs/nginx.js';
import type { PostgresProps } from '../constructs/postgres.js';
import type { PostgresBackupProps } from '../constructs/postgres-backup.js';
import type { RedisProps } from '../constructs/redis.js';
import type { ElasticsearchCluster } from '../constructs/elasticsearch.js';
import type { PlatformContext } from '../constructs/platform-context.js';
import type { CertificateAuthority, ElasticFileRealm, ElasticFileRealmProps } from '../constructs/security/index.js';
import type { IngestInputs } from './contracts.js';
import type { ServiceDeclaration } from '@platform/contract';
import type { Logstash } from '../constructs/logstash.js';
import { replicasOf, type EnvironmentConfig } from './config/index.js';
import { ValidationError } from '../constructs/private/validation.js';
import { resolveImage } from './images.js';
import { PROJECT_DIR_FROM_STACK } from './working-directory.js';

/**
 * The one place the environment settings meet the constructs: each function maps the settings
 * onto one construct's props, so the stacks (and the tests that wire constructs as the stacks
 * do) spread them and add only the wiring. The constructs know no settings.
 */

export function postgresSettings(config: EnvironmentConfig): Pick<PostgresProps, 'image'> {
  return { image: resolveImage(config, 'postgres') };
}

export function postgresBackupSettings(
  config: EnvironmentConfig,
): Pick<PostgresBackupProps, 'image' | 'schedule' | 'keepDays' | 'keepWeeks' | 'keepMonths' | 'memoryMb'> {
  const { schedule, keepDays, keepWeeks, keepMonths, memoryMb } = config.backups.postgres;
  return { image: resolveImage(config, 'postgres-backup'), schedule, keepDays, keepWeeks, keepMonths, memoryMb };
}

export function redisSettings(config: EnvironmentConfig): Pick<RedisProps, 'image'> {
  return { image: resolveImage(config, 'redis') };
}

export function serviceSettings(config: EnvironmentConfig, serviceName: string): Pick<FastifyServiceProps, 'environment' | 'replicas' | 'build' | 'buildContext'> {
  return {
    environment: config.environment,
    // The repository root is the project directory.
    buildContext: PROJECT_DIR_FROM_STACK,
    replicas: replicasOf(config, serviceName),
    build: { nodeImage: resolveImage(config, 'node'), npmRegistry: config.images.npmRegistry },
  };
}

export function nginxSettings(config: EnvironmentConfig): Pick<NginxProps, 'image' | 'bindAddress' | 'publishedPort'> {
  return { image: resolveImage(config, 'nginx'), bindAddress: config.bindAddress, publishedPort: config.ports.nginx };
}

export function fileRealmSettings(config: EnvironmentConfig): Pick<ElasticFileRealmProps, 'elasticVersion'> {
  return { elasticVersion: config.elasticVersion };
}

function elasticsearchSettings(config: EnvironmentConfig): Pick<ElasticsearchProps, 'image' | 'nodes' | 'heapMb' | 'publishedPort' | 'bindAddress'> {
  return {
    image: resolveImage(config, 'elasticsearch'),
    nodes: config.elasticsearch.nodes,
    heapMb: config.elasticsearch.heapMb,
    publishedPort: config.ports.elasticsearch,
    bindAddress: config.bindAddress,
  };
}

function kibanaSettings(config: EnvironmentConfig): Pick<KibanaProps, 'image' | 'memoryMb' | 'publishedPort' | 'bindAddress'> {
  return { image: resolveImage(config, 'kibana'), memoryMb: config.kibana.memoryMb, publishedPort: config.ports.kibana, bindAddress: config.bindAddress };
}

function logstashSettings(config: EnvironmentConfig): Pick<LogstashProps, 'image' | 'environment' | 'heapMb'> {
  return { image: resolveImage(config, 'logstash'), environment: config.environment, heapMb: config.logstash.heapMb };
}

function apmServerSettings(config: EnvironmentConfig): Pick<ApmServerProps, 'image' | 'memoryMb'> {
  return { image: resolveImage(config, 'apm-server'), memoryMb: config.tracing.apmServerMemoryMb };
}

/**
 * A service's OTLP export when tracing is on: APM Server's endpoint, the generated token and the
 * sampling ratio. Undefined (no `OTEL_*` variables, tracing off) when `tracing.enabled` is false.
 */
export function serviceTracing(config: EnvironmentConfig, secretToken: string | undefined): ServiceTracing | undefined {
  if (!config.tracing.enabled || secretToken === undefined) return undefined;
  return { endpoint: APM_SERVER_URL, secretToken, sampleRatio: config.tracing.sampleRatio };
}

/** What every ingest-side component that writes to Elasticsearch takes from the platform: its network, the nodes and the CA. */
function clusterWiring(platform: IngestInputs) {
  return { context: platform.context, elasticsearchUrls: platform.elasticsearchUrls, certificateAuthority: platform.certificateAuthority };
}

/** APM Server's whole props: its settings, what the platform provides and the templates it starts after. */
export function apmServerProps(config: EnvironmentConfig, platform: IngestInputs, secretToken: string, retentionTemplates: readonly string[]): ApmServerProps {
  return {
    ...apmServerSettings(config),
    ...clusterWiring(platform),
    writerUser: platform.apmWriter,
    secretToken,
    retentionTemplates,
  };
}

function filebeatSettings(config: EnvironmentConfig): Pick<FilebeatProps, 'image' | 'environment'> {
  return { image: resolveImage(config, 'filebeat'), environment: config.environment };
}

function metricbeatSettings(config: EnvironmentConfig): Pick<MetricbeatProps, 'image' | 'dockerMetrics' | 'memoryMb'> {
  return { image: resolveImage(config, 'metricbeat'), dockerMetrics: config.monitoring.dockerMetrics, memoryMb: config.monitoring.memoryMb };
}

/** What the Elasticsearch and Kibana containers take from the platform besides settings. */
export interface ElasticWiring {
  readonly context: PlatformContext;
  readonly certificateAuthority: CertificateAuthority;
  readonly realm: ElasticFileRealm;
  /** With `snapshots.s3`: the S3 keys, references to the platform stack's sensitive variables. */
  readonly snapshotS3Keys?: { readonly accessKey: string; readonly secretKey: string };
}

/** The nodes' S3 client for `snapshots.s3` (none without it); the keys must be wired in. */
function snapshotS3Client(config: EnvironmentConfig, keys: ElasticWiring['snapshotS3Keys']): Pick<ElasticsearchProps, 'snapshotS3Client'> {
  const s3 = config.snapshots.s3;
  if (!s3) return {};
  if (!keys) {
    throw new ValidationError(
      `environment "${config.environment}"`,
      'snapshots.s3 is set but no S3 keys are wired in: the platform stack reads them from TF_VAR_snapshot_s3_access_key / TF_VAR_snapshot_s3_secret_key',
    );
  }
  return { snapshotS3Client: { ...keys, endpoint: s3.endpoint, region: s3.region, pathStyleAccess: s3.pathStyleAccess } };
}

/** Elasticsearch's whole props: its settings, the platform CA and the file realm's users. */
export function elasticsearchProps(config: EnvironmentConfig, { context, certificateAuthority, realm, snapshotS3Keys }: ElasticWiring): ElasticsearchProps {
  return {
    ...elasticsearchSettings(config),
    ...snapshotS3Client(config, snapshotS3Keys),
    context,
    certificateAuthority,
    realmFiles: realm.fileContents,
    healthcheckUser: realm.healthcheck,
    superuserPassword: realm.superuser.password,
  };
}

/** Kibana's whole props: its settings, the cluster it serves and its system user. */
export function kibanaProps(config: EnvironmentConfig, { context, certificateAuthority, realm }: ElasticWiring, elasticsearch: ElasticsearchCluster): KibanaProps {
  return { ...kibanaSettings(config), context, elasticsearch, certificateAuthority, kibanaSystemUser: realm.kibana };
}

/** Logstash's whole props: its settings, what the platform provides and the streams it writes. */
export function logstashProps(config: EnvironmentConfig, platform: IngestInputs, dataStreams: readonly string[]): LogstashProps {
  return {
    ...logstashSettings(config),
    ...clusterWiring(platform),
    writerUser: platform.logsWriter,
    dataStreams,
  };
}

/** What Filebeat takes from the stacks besides the platform's inputs. */
export interface FilebeatWiring {
  /** The services whose logs it ships. @default the catalog */
  readonly services?: readonly ServiceDeclaration[];
  /** The cluster's UUID (the elastic stack's `clusterUuid`), so Stack Monitoring lists Filebeat under it. */
  readonly clusterUuid?: string;
}

/** Filebeat's whole props: its settings, the log volume, and the Logstash it ships to. */
export function filebeatProps(config: EnvironmentConfig, platform: IngestInputs, logstash: Logstash, wiring: FilebeatWiring = {}): FilebeatProps {
  return {
    ...filebeatSettings(config),
    context: platform.context,
    logstash,
    certificateAuthority: platform.certificateAuthority,
    logVolumeName: platform.logVolumeName,
    ...(wiring.services ? { services: wiring.services } : {}),
    ...(wiring.clusterUuid ? { monitoringClusterUuid: wiring.clusterUuid } : {}),
  };
}

/** Metricbeat's whole props: its settings, what the platform provides, and the shippers it monitors. */
export function metricbeatProps(config: EnvironmentConfig, platform: IngestInputs, logstash: Logstash, filebeat: Filebeat): MetricbeatProps {
  return {
    ...metricbeatSettings(config),
    ...clusterWiring(platform),
    kibanaUrl: platform.kibanaUrl,
    monitoringUser: platform.monitoringUser,
    logstash,
    filebeat,
  };
}
