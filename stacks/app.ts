import type { App } from 'cdktf';
import { SERVICES, type ServiceDeclaration } from '../services/shared/src/catalog.js';
import type { EnvironmentConfig } from './config/index.js';
import { ElasticStack } from './elastic-stack.js';
import { PlatformStack } from './platform-stack.js';

/** The stacks of one environment, in deployment order. */
export interface EnvironmentStacks {
  /** `<env>-platform`: the Docker resources. */
  readonly platform: PlatformStack;
  /** `<env>-elastic`: the Elastic Stack configuration, applied once the platform runs. */
  readonly elastic: ElasticStack;
}

/**
 * Creates the stacks of `config`'s environment. The elastic stack reaches
 * Elasticsearch and Kibana through the platform stack's `elasticConnection`;
 * those cross-stack references make cdktf deploy the platform first and destroy it last.
 */
export function createStacks(app: App, config: EnvironmentConfig, services: readonly ServiceDeclaration[] = SERVICES): EnvironmentStacks {
  const platform = new PlatformStack(app, `${config.environment}-platform`, { config, services });
  const elastic = new ElasticStack(app, `${config.environment}-elastic`, { config, services, connection: platform.elasticConnection });
  // Explicit as well: the order must not hinge on which references the elastic stack happens to use.
  elastic.addDependency(platform);
  return { platform, elastic };
}
