import { Aspects, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider/index.js';
import { Filebeat } from '../constructs/filebeat.js';
import { Logstash } from '../constructs/logstash.js';
import { ApmServer } from '../constructs/apm-server.js';
import { Metricbeat } from '../constructs/metricbeat.js';
import type { ServiceDeclaration } from '@platform/contract';
import type { EnvironmentConfig } from './config/index.js';
import { apmServerProps, filebeatProps, logstashProps, metricbeatProps } from './component-props.js';
import type { IngestInputs } from './contracts.js';
import { ContainerPolicyAspect } from './policy-aspect.js';
import { useProjectStateFile } from './state-backend.js';

export interface IngestStackProps {
  /** Validated environment settings (the same as the platform stack's). */
  readonly config: EnvironmentConfig;
  /** What the platform stack provides (`PlatformStack.ingestInputs`). */
  readonly platform: IngestInputs;
  /** The services whose log files Filebeat ships (the catalog). */
  readonly services: readonly ServiceDeclaration[];
  /**
   * Every data stream the Logstash pipeline writes to, as references to the resources of the
   * `<env>-elastic` stack that create them (`ElasticStack.dataStreamNames`).
   */
  readonly dataStreams: readonly string[];
  /**
   * The cluster's UUID, a reference to the `<env>-elastic` stack's reading of it
   * (`ElasticStack.clusterUuid`): Filebeat reports it so Stack Monitoring lists it under the cluster.
   * @default none: Filebeat is listed under "Standalone cluster"
   */
  readonly clusterUuid?: string;
  /**
   * The APM data streams' retention templates (`ElasticStack.apmRetentionTemplates`): APM Server
   * starts after them. @default [] (then no APM Server runs, as with `tracing.enabled` false)
   */
  readonly apmRetentionTemplates?: readonly string[];
}

/**
 * `<env>-ingest`: the log shippers, Logstash and Filebeat, Metricbeat monitoring the stack, and APM Server. Deployed after `<env>-elastic`, so
 * nothing writes a log document before its ILM policy, templates and data stream exist (an
 * auto-created stream would take Elasticsearch's built-in `logs@template` instead); lines the
 * services write meanwhile wait in the log files. Destroyed first, so nothing re-creates a
 * stream while the elastic stack deletes them.
 */
export class IngestStack extends TerraformStack {
  public readonly logstash: Logstash;
  public readonly filebeat: Filebeat;
  public readonly metricbeat: Metricbeat;
  /** APM Server, when `tracing.enabled` (the platform stack generated its token). */
  public readonly apmServer?: ApmServer;

  public constructor(scope: Construct, id: string, props: IngestStackProps) {
    super(scope, id);
    useProjectStateFile(this);
    const { platform, config } = props;
    // The same Docker host as the platform stack (DOCKER_HOST / DOCKER_CONTEXT, default the local socket).
    new DockerProvider(this, 'docker', {});

    this.logstash = new Logstash(this, 'logstash', logstashProps(config, platform, props.dataStreams));
    // The services and nginx (platform stack, deployed earlier) have already created their
    // directories on the shared log volume, which Filebeat mounts read-only.
    this.filebeat = new Filebeat(this, 'filebeat', filebeatProps(config, platform, this.logstash, { services: props.services, ...(props.clusterUuid ? { clusterUuid: props.clusterUuid } : {}) }));
    // Stack Monitoring sits with the shippers: it must reach Logstash's API and Filebeat's HTTP
    // endpoint, and it starts once both are healthy (Elasticsearch and Kibana run already).
    this.metricbeat = new Metricbeat(this, 'metricbeat', metricbeatProps(config, platform, this.logstash, this.filebeat));

    // Here, not in the platform stack, for the same reason as Logstash: the first trace creates
    // its data stream, which must take the retention templates of `<env>-elastic`. The services
    // export best-effort, so they run (untraced) while APM Server is not there yet.
    const templates = props.apmRetentionTemplates ?? [];
    if (config.tracing.enabled && platform.apmSecretToken !== undefined && templates.length > 0) {
      this.apmServer = new ApmServer(this, 'apm-server', apmServerProps(config, platform, platform.apmSecretToken, templates));
    }

    Aspects.of(this).add(new ContainerPolicyAspect(config.bindAddress));
  }
}
