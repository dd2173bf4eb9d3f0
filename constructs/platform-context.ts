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

/** Default images, pinned. Elastic images follow `config.elasticVersion`. */
export function defaultImage(component: Component, elasticVersion: string): string {
  switch (component) {
    case 'postgres':
      return 'postgres:17.6-alpine3.22';
    case 'redis':
      return 'redis:7.4.5-alpine3.21';
    case 'nginx':
      return 'nginx:1.28.0-alpine3.21';
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
