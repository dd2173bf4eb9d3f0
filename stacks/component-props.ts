import type { ElasticsearchProps } from '../constructs/elasticsearch.js';
import type { FastifyServiceProps } from '../constructs/fastify-service.js';
import type { FilebeatProps } from '../constructs/filebeat.js';
import type { KibanaProps } from '../constructs/kibana.js';
import type { LogstashProps } from '../constructs/logstash.js';
import type { NginxProps } from '../constructs/nginx.js';
import type { PostgresProps } from '../constructs/postgres.js';
import type { RedisProps } from '../constructs/redis.js';
import type { ElasticFileRealmProps } from '../constructs/security/index.js';
import { replicasOf, type EnvironmentConfig } from './config/index.js';
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

export function elasticsearchSettings(config: EnvironmentConfig): Pick<ElasticsearchProps, 'image' | 'nodes' | 'heapMb' | 'publishedPort' | 'bindAddress'> {
  return {
    image: resolveImage(config, 'elasticsearch'),
    nodes: config.elasticsearch.nodes,
    heapMb: config.elasticsearch.heapMb,
    publishedPort: config.ports.elasticsearch,
    bindAddress: config.bindAddress,
  };
}

export function kibanaSettings(config: EnvironmentConfig): Pick<KibanaProps, 'image' | 'memoryMb' | 'publishedPort' | 'bindAddress'> {
  return { image: resolveImage(config, 'kibana'), memoryMb: config.kibana.memoryMb, publishedPort: config.ports.kibana, bindAddress: config.bindAddress };
}

export function logstashSettings(config: EnvironmentConfig): Pick<LogstashProps, 'image' | 'environment' | 'heapMb'> {
  return { image: resolveImage(config, 'logstash'), environment: config.environment, heapMb: config.logstash.heapMb };
}

export function filebeatSettings(config: EnvironmentConfig): Pick<FilebeatProps, 'image' | 'environment'> {
  return { image: resolveImage(config, 'filebeat'), environment: config.environment };
}
