import type { Construct } from 'constructs';
import { Image } from '@cdktf/provider-docker/lib/image/index.js';
import type { EnvironmentConfig, Component } from '../stacks/config/index.js';

/**
 * What every component construct needs to know about the platform it joins.
 * The platform stack builds one and hands it to each construct.
 */
export interface PlatformContext {
  /** Validated environment settings. */
  readonly config: EnvironmentConfig;
  /** `<projectName>-<environment>`: prefix of every Docker resource name. */
  readonly namePrefix: string;
  /** Name of the private Docker network every container joins (a token of the network resource). */
  readonly networkName: string;
}

/**
 * Default images, pinned to maintained releases (tags as listed in docker-library/official-images
 * library/{node,postgres,redis,nginx} at 37079fb, 2026-08-21). Elastic images follow `config.elasticVersion`.
 * - node: 24 "krypton", the LTS line there (supported to 2028-04-30, nodejs/docker-node versions.json);
 *   the base image of the service images (services/Dockerfile, build arg NODE_IMAGE).
 * - postgres: newest 17.x, not 18. 18 moved PGDATA to /var/lib/postgresql/18/docker and its
 *   entrypoint refuses to initialise while /var/lib/postgresql/data is a mount (docker-library/postgres
 *   6edb0a8, 18/alpine3.23/Dockerfile L202-205, docker-entrypoint.sh L248-257); and a data volume
 *   written by 17 needs pg_upgrade before 18 can open it. 17 is supported to November 2029.
 * - redis: newest 7.4.x, not 8. Redis 8 puts the Query Engine, JSON, time-series and probabilistic
 *   commands into @read and @write (redis.io "Potentially breaking changes to ACLs") and its image
 *   loads those modules by default, so the service users' `+@read +@write` (constructs/redis.ts) would
 *   also allow FT.SEARCH, JSON.SET, ...; the ACL must exclude them before moving to 8.
 * - nginx: the stable line (1.30), which has `resolve` on upstream servers (constructs/nginx-config.ts).
 */
export function defaultImage(component: Component, elasticVersion: string): string {
  switch (component) {
    case 'node':
      return 'node:24.19.0-trixie-slim';
    case 'postgres':
      return 'postgres:17.11-alpine3.24';
    case 'redis':
      return 'redis:7.4.11-alpine3.21';
    case 'nginx':
      return 'nginx:1.30.4-alpine3.24';
    case 'elasticsearch':
      return `docker.elastic.co/elasticsearch/elasticsearch:${elasticVersion}`;
    case 'logstash':
      return `docker.elastic.co/logstash/logstash:${elasticVersion}`;
    case 'kibana':
      return `docker.elastic.co/kibana/kibana:${elasticVersion}`;
    case 'filebeat':
      return `docker.elastic.co/beats/filebeat:${elasticVersion}`;
  }
}

/**
 * The image a component runs: an explicit override wins; otherwise the default,
 * pulled through the registry mirror when one is configured.
 */
export function resolveImage(config: EnvironmentConfig, component: Component): string {
  const override = config.images.overrides[component];
  if (override) return override;
  const image = defaultImage(component, config.elasticVersion);
  if (!config.images.registryMirror) return image;
  // Docker Hub official images live under library/; Elastic's registry keeps its path.
  const path = image.startsWith('docker.elastic.co/') ? image.slice('docker.elastic.co/'.length) : `library/${image}`;
  return `${config.images.registryMirror}/${path}`;
}

/**
 * The `docker_image` a component pulls (see `resolveImage`). Kept on destroy: public images
 * are shared by every environment on the host, and removing one another environment's
 * container still uses would fail the destroy.
 */
export function pulledImage(scope: Construct, context: PlatformContext, component: Component): Image {
  return new Image(scope, 'image', { name: resolveImage(context.config, component), keepLocally: true });
}

/**
 * The address a client on the Docker host reaches a published port at: the bind
 * address, or the loopback address when ports are bound to every interface.
 */
export function publishedHost(config: EnvironmentConfig): string {
  return config.bindAddress === '0.0.0.0' ? '127.0.0.1' : config.bindAddress;
}

/**
 * IP addresses a published server's certificate must be valid for: the loopback
 * address and the bind address (unless that is "every interface").
 */
export function publishedIpAddresses(config: EnvironmentConfig): string[] {
  return [...new Set(['127.0.0.1', config.bindAddress])].filter((ip) => ip !== '0.0.0.0');
}

/** Label every platform resource carries, so `docker ps --filter label=...` finds one environment's resources. */
export const PROJECT_LABEL = 'io.platform.project';

/** Docker labels of every resource of this platform (the `<projectName>-<environment>` prefix). */
export function platformLabels(context: PlatformContext): { label: string; value: string }[] {
  return [{ label: PROJECT_LABEL, value: context.namePrefix }];
}
