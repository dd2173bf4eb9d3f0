import { defaultImage, type Component } from '../constructs/images.js';
import type { EnvironmentConfig } from './config/index.js';

/**
 * The image a component runs in this environment: an explicit override wins; otherwise the
 * default, pulled through the registry mirror when one is configured.
 */
export function resolveImage(config: EnvironmentConfig, component: Component): string {
  const override = config.images.overrides[component];
  if (override) return override;
  const image = defaultImage(component, config.elasticVersion);
  if (!config.images.registryMirror) return image;
  // Docker Hub official images (no namespace) live under library/; a Docker Hub image with a
  // namespace (prodrigestivill/…) and Elastic's registry keep their path.
  const path = image.startsWith('docker.elastic.co/') ? image.slice('docker.elastic.co/'.length) : image.includes('/') ? image : `library/${image}`;
  return `${config.images.registryMirror}/${path}`;
}
