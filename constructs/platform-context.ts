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

/** Bounded Docker log rotation every container gets (json-file driver). */
export const DOCKER_LOG_ROTATION = { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } } as const;

/** Label every platform resource carries, so `docker ps --filter label=...` finds one environment's resources. */
export const PROJECT_LABEL = 'io.platform.project';

/** Docker labels of every resource of this platform (the `<projectName>-<environment>` prefix). */
export function platformLabels(context: PlatformContext): { label: string; value: string }[] {
  return [{ label: PROJECT_LABEL, value: context.namePrefix }];
}

/**
 * Container settings every platform container shares: membership of the private
 * network under the given aliases, bounded json-file logs, a restart policy and the
 * project label. Spread into a `Container` config; component constructs add the rest.
 */
export function sharedContainerSettings(context: PlatformContext, aliases: readonly string[]) {
  return {
    networksAdvanced: [{ name: context.networkName, aliases: [...aliases] }],
    logDriver: DOCKER_LOG_ROTATION.driver,
    logOpts: { ...DOCKER_LOG_ROTATION.options },
    restart: 'unless-stopped',
    labels: platformLabels(context),
  };
}

/** Healthcheck timing shared by the platform's containers; `startPeriod` gives slow starters time before failures count. */
export function healthcheck(test: string[], options: { startPeriod?: string; retries?: number } = {}) {
  return {
    test,
    interval: '10s',
    timeout: '5s',
    retries: options.retries ?? 6,
    startPeriod: options.startPeriod ?? '20s',
  };
}
