import { TerraformOutput, TerraformStack, TerraformVariable, Token } from 'cdktf';
import type { Construct } from 'constructs';
import { DEAD_LETTER_LOG_SOURCE, NGINX_LOG_SOURCE, UNROUTED_LOG_SOURCE, type ServiceDeclaration } from '@platform/contract';
import { DataElasticstackElasticsearchInfo, ElasticstackProvider } from '../constructs/elastic/bindings/index.js';
import { alertHistoryIndexName } from '../constructs/elastic/alert-history.js';
import { ELASTICSEARCH_SNAPSHOT_PATH, SNAPSHOT_S3_CLIENT } from '../constructs/elasticsearch.js';
import {
  ElasticsearchSnapshots,
  ClusterHealthAlert,
  ApmRetention,
  ErrorSpikeAlert,
  LogDashboard,
  LogDataStreams,
  LogDataView,
  LogIndexTemplates,
  LogLifecyclePolicy,
  elasticObjectNames,
} from '../constructs/elastic/index.js';
import type { AlertWebhook, AlertWebhookKind } from '../constructs/elastic/alert-connectors.js';
import { ValidationError } from '../constructs/private/validation.js';
import type { EnvironmentConfig } from './config/index.js';
import { platformCaFile } from './ca-file.js';
import type { ElasticConnection } from './contracts.js';
import { useProjectStateFile } from './state-backend.js';

export interface ElasticStackProps {
  /** Validated environment settings. */
  readonly config: EnvironmentConfig;
  /** The service catalog: data streams, dashboard series and nginx routes derive from it. */
  readonly services: readonly ServiceDeclaration[];
  /** How to reach Elasticsearch and Kibana: the platform stack's `elasticConnection` (Terraform references). */
  readonly connection: ElasticConnection;
  /**
   * Path of a PEM file with the platform CA, on the machine that runs Terraform.
   * Kibana's provider block takes CA *files* only (Elasticsearch's takes the PEM
   * itself), so the CA must be on disk before this stack is planned. The platform
   * stack writes the default path when it is deployed; a file given here is yours to provide.
   * @default platformCaFile(config.environment): `.platform/<env>/ca.pem` in the project directory
   */
  readonly kibanaCaCertificateFile?: string;
}

/**
 * `<env>-elastic`: what the Elastic Stack is configured with, through the
 * `elastic/elasticstack` provider, once the platform stack runs: the ILM policy,
 * the component and index templates of the log data streams, the Kibana data
 * view, the dashboard, the error-spike and cluster-health alerts with their shared
 * connectors, and the snapshot repository with its lifecycle policy.
 */
export class ElasticStack extends TerraformStack {
  public readonly dashboardUrl: string;
  /**
   * Every data stream the Logstash pipelines write to, as references to the resources that
   * create them; the `<env>-ingest` stack's Logstash takes them, so it starts after them.
   */
  public readonly dataStreamNames: readonly string[];
  /**
   * The cluster's UUID, read at plan time: Filebeat, which ships to Logstash and so cannot learn
   * it, reports it so Stack Monitoring lists it under this cluster.
   */
  public readonly clusterUuid: string;
  /**
   * The APM data streams' `@custom` templates (references), when `tracing.enabled`: the
   * `<env>-ingest` stack's APM Server takes them, so it starts after them. Empty otherwise.
   */
  public readonly apmRetentionTemplates: readonly string[];

  public constructor(scope: Construct, id: string, props: ElasticStackProps) {
    super(scope, id);
    useProjectStateFile(this);
    const { config, services, connection } = props;
    const environment = config.environment;
    if (services.length === 0) {
      throw new ValidationError(this, 'services must declare at least one service (see SERVICES in services/contract)');
    }
    // A literal password would be written into cdk.tf.json; it must be a reference to the platform stack's generated one.
    if (!Token.isUnresolved(connection.password)) {
      throw new ValidationError(
        this,
        'connection.password is a literal; pass the platform stack\'s elasticConnection (a reference to its generated password), never a typed-in secret',
      );
    }
    const tlsToKibana = connection.kibanaEndpoint.startsWith('https://') || Token.isUnresolved(connection.kibanaEndpoint);
    const kibanaCaFile = props.kibanaCaCertificateFile ?? platformCaFile(environment);

    new ElasticstackProvider(this, 'elasticstack', {
      elasticsearch: {
        endpoints: [connection.elasticsearchEndpoint],
        username: connection.username,
        password: connection.password,
        caData: connection.caCertificatePem,
      },
      kibana: {
        endpoints: [connection.kibanaEndpoint],
        username: connection.username,
        password: connection.password,
        caCerts: connection.caCertificatePem !== undefined && tlsToKibana ? [kibanaCaFile] : undefined,
      },
    });

    this.clusterUuid = new DataElasticstackElasticsearchInfo(this, 'cluster-info').clusterUuid;

    const names = elasticObjectNames(environment);
    const policy = new LogLifecyclePolicy(this, 'log-lifecycle', {
      name: names.lifecyclePolicy,
      rolloverMaxAge: config.rollover.maxAge,
      rolloverMaxPrimaryShardSize: config.rollover.maxPrimaryShardSize,
      retentionDays: config.logRetentionDays,
    });
    const templates = new LogIndexTemplates(this, 'log-templates', {
      environment,
      mappingsTemplateName: names.mappingsComponentTemplate,
      settingsTemplateName: names.settingsComponentTemplate,
      indexTemplateName: names.indexTemplate,
      lifecyclePolicyName: policy.policyName,
      dataNodes: config.elasticsearch.nodes,
    });
    // Every stream the pipelines can write to: platform-logs routes each Filebeat input to its
    // source (a catalog service or nginx) and anything else to "unknown"; dead-letters writes
    // "deadletter". A test walks the pipelines' routing to hold this list complete.
    const sources = [...services.map((s) => s.name), NGINX_LOG_SOURCE, UNROUTED_LOG_SOURCE, DEAD_LETTER_LOG_SOURCE];
    const streams = new LogDataStreams(this, 'log-data-streams', {
      environment,
      sources,
      dependsOn: [templates.indexTemplate],
    });
    this.dataStreamNames = streams.names;
    // Traces and span errors are kept as long as logs: the log ILM policy manages them too.
    this.apmRetentionTemplates = config.tracing.enabled
      ? new ApmRetention(this, 'apm-retention', { lifecyclePolicyName: policy.policyName, dataNodes: config.elasticsearch.nodes, environment }).templateNames
      : [];
    const dataView = new LogDataView(this, 'log-data-view', {
      id: names.dataViewId,
      name: names.dataViewName,
      indexPatterns: templates.indexPatterns,
    });
    const dashboard = new LogDashboard(this, 'log-dashboard', {
      environment,
      services,
      dataViewId: names.dataViewId,
      idPrefix: names.savedObjectPrefix,
      dataStreamSources: sources,
      dependsOn: [dataView.resource],
    });
    const errorSpike = new ErrorSpikeAlert(this, 'error-spike-alert', {
      environment,
      ruleName: names.alertRule,
      indexPatterns: templates.indexPatterns,
      errorThreshold: config.alerts.errorThreshold,
      windowMinutes: config.alerts.windowMinutes,
      // Every service, nginx, and lines Logstash could not route.
      sourceCount: new Set([...services.map((s) => s.name), NGINX_LOG_SOURCE, UNROUTED_LOG_SOURCE]).size,
      historyIndexName: alertHistoryIndexName(environment),
      dataNodes: config.elasticsearch.nodes,
      licence: config.alerts.licence,
      webhook: config.alerts.webhook && alertWebhook(this, config.alerts.webhook),
    });
    // From the Stack Monitoring data Metricbeat (in <env>-ingest) writes; until it runs the rule finds nothing and stays quiet.
    new ClusterHealthAlert(this, 'cluster-health-alert', {
      environment,
      ruleName: names.clusterHealthRule,
      minutes: config.alerts.clusterHealthMinutes,
      dataNodes: config.elasticsearch.nodes,
      connectors: errorSpike.alertConnectors,
    });

    const snapshots = new ElasticsearchSnapshots(this, 'snapshots', {
      repositoryName: names.snapshotRepository,
      policyName: names.snapshotPolicy,
      snapshotPrefix: names.snapshotPrefix,
      // The nodes' path.repo, where the platform stack mounts the shared snapshot volume.
      fsLocation: ELASTICSEARCH_SNAPSHOT_PATH,
      s3: config.snapshots.s3 && { bucket: config.snapshots.s3.bucket, basePath: config.snapshots.s3.basePath, client: SNAPSHOT_S3_CLIENT },
      schedule: config.snapshots.schedule,
      retention: config.snapshots.retention,
      indices: templates.indexPatterns,
    });

    this.dashboardUrl = `${connection.kibanaEndpoint}/app/dashboards#/view/${dashboard.dashboardId}`;
    new TerraformOutput(this, 'dashboard_url', { value: this.dashboardUrl, description: 'The platform logs dashboard in Kibana.' });
    new TerraformOutput(this, 'alert_rules_url', {
      value: `${connection.kibanaEndpoint}/app/management/insightsAndAlerting/triggersActions/rules`,
      description: `Kibana's rules page; the rules are "${names.alertRule}" and "${names.clusterHealthRule}".`,
    });
    new TerraformOutput(this, 'request_search_url', {
      value: `${connection.kibanaEndpoint}/app/discover#/view/${names.savedObjectPrefix}-requests-by-id`,
      description: 'Saved search of every line of one request: set the query to http.request.id : "<id>".',
    });
    new TerraformOutput(this, 'snapshot_repository', {
      value: snapshots.repositoryName,
      description: `Snapshot repository (${config.snapshots.s3 ? 's3' : 'shared filesystem'}): GET _snapshot/<this>/_all lists its snapshots.`,
    });
    new TerraformOutput(this, 'snapshot_policy', {
      value: snapshots.policyName,
      description: 'Snapshot lifecycle policy: POST _slm/policy/<this>/_execute takes a snapshot now.',
    });
  }
}

/** Name of the Terraform variable that carries the alert webhook's URL (TF_VAR_alert_webhook_url). */
export const ALERT_WEBHOOK_URL_VARIABLE = 'alert_webhook_url';

/** Name of the Terraform variable whose change re-sends the Slack URL (TF_VAR_alert_webhook_url_version). */
export const ALERT_WEBHOOK_URL_VERSION_VARIABLE = 'alert_webhook_url_version';

/** Write-only attributes (the Slack URL's `secrets_wo`) exist from Terraform 1.11 and OpenTofu 1.11. */
export const WRITE_ONLY_MIN_VERSION = '1.11.0';

/**
 * The webhook URL is a secret (a Slack incoming-webhook URL is its own credential): it is
 * read at plan time from a sensitive variable, so cdk.tf.json only says a webhook is used
 * and plans print "(sensitive value)". For Slack the variable is also ephemeral and goes to
 * the connector's write-only `secrets_wo`, so no state or plan file holds it; the stack then
 * requires Terraform/OpenTofu 1.11 (init names the version). The generic `.webhook` type keeps
 * its URL in connector config (Kibana stores it unencrypted), an ordinary attribute, which
 * cannot take an ephemeral value: there the state holds it.
 */
function alertWebhook(stack: TerraformStack, kind: AlertWebhookKind): AlertWebhook {
  const url = new TerraformVariable(stack, ALERT_WEBHOOK_URL_VARIABLE, {
    type: 'string',
    sensitive: true,
    nullable: false,
    description: 'URL the error-spike alert posts to (alerts.webhook); set TF_VAR_alert_webhook_url.',
    validation: [
      {
        condition: `\${can(regex("^https?://[^/]", var.${ALERT_WEBHOOK_URL_VARIABLE}))}`,
        errorMessage: 'alert_webhook_url must be an http(s) URL.',
      },
    ],
  });
  if (kind !== 'slack') return { kind, url: url.stringValue };
  // cdktf 0.21's TerraformVariableConfig has no `ephemeral` (Terraform 1.10+ variable argument).
  url.addOverride('ephemeral', true);
  stack.addOverride('terraform.required_version', `>= ${WRITE_ONLY_MIN_VERSION}`);
  const version = new TerraformVariable(stack, ALERT_WEBHOOK_URL_VERSION_VARIABLE, {
    type: 'string',
    default: '1',
    description: 'Change it (e.g. TF_VAR_alert_webhook_url_version=2) after rotating TF_VAR_alert_webhook_url, so the next apply sends the new URL to Kibana.',
  });
  return { kind, url: url.stringValue, urlVersion: version.stringValue };
}
