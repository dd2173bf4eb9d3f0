import type { App } from 'cdktf';
import { SERVICES, type ServiceDeclaration } from '@platform/contract';
import type { EnvironmentConfig } from './config/index.js';
import { ElasticStack } from './elastic-stack.js';
import { IngestStack } from './ingest-stack.js';
import { PlatformStack } from './platform-stack.js';

/** The stacks of one environment, in deployment order. */
export interface EnvironmentStacks {
  /** `<env>-platform`: the Docker resources. */
  readonly platform: PlatformStack;
  /** `<env>-elastic`: the Elastic Stack configuration, applied once the platform runs. */
  readonly elastic: ElasticStack;
  /** `<env>-ingest`: Logstash and Filebeat, started once every data stream they write to exists. */
  readonly ingest: IngestStack;
}

/**
 * Creates the stacks of `config`'s environment, in deployment order: platform, elastic,
 * ingest. The elastic stack reaches Elasticsearch and Kibana through the platform stack's
 * `elasticConnection`; the ingest stack takes the platform's network, volume and
 * credentials and the elastic stack's data streams. Those cross-stack references (and the
 * explicit dependencies below) make cdktf deploy in that order and destroy in reverse:
 * the shippers stop before the data streams, templates and ILM policy are deleted.
 */
export function createStacks(app: App, config: EnvironmentConfig, services: readonly ServiceDeclaration[] = SERVICES): EnvironmentStacks {
  const platform = new PlatformStack(app, `${config.environment}-platform`, { config, services });
  const elastic = new ElasticStack(app, `${config.environment}-elastic`, { config, services, connection: platform.elasticConnection });
  // Explicit as well: the order must not hinge on which references the elastic stack happens to use.
  elastic.addDependency(platform);
  const ingest = new IngestStack(app, `${config.environment}-ingest`, {
    config,
    platform: platform.ingestInputs,
    services,
    dataStreams: elastic.dataStreamNames,
    clusterUuid: elastic.clusterUuid,
    apmRetentionTemplates: elastic.apmRetentionTemplates,
  });
  ingest.addDependency(platform);
  ingest.addDependency(elastic);
  return { platform, elastic, ingest };
}
