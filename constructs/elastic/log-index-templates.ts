import { Construct } from 'constructs';
import { ElasticsearchComponentTemplate, ElasticsearchIndexTemplate } from './bindings/index.js';
import { LOG_MAPPINGS, logIndexPatterns, logIndexSettings } from './log-mappings.js';
import { ValidationError, reportedAt } from '../private/validation.js';

/**
 * Elastic asks templates whose patterns overlap the built-in `logs-*-*` (priority 100;
 * Fleet integrations use up to 200) for a priority above 500
 * (https://www.elastic.co/docs/manage-data/data-store/templates, "Avoid index pattern
 * collisions"; elastic/docs-content manage-data/data-store/templates.md).
 */
export const OVERLAPPING_TEMPLATE_MIN_PRIORITY = 501;

/**
 * Whether the log data streams get a failure store. Decided once: off. Documents
 * Elasticsearch refuses (mapping conflicts) must come back to Logstash as errors so its
 * dead-letter queue and the `dead-letters` pipeline store them in
 * `logs-deadletter-<env>`. With the failure store on, Elasticsearch would accept them
 * into `<stream>::failures` and the DLQ would never see them. Since 9.2 the built-in
 * `logs@settings` turns it on for `logs-*-*` (elastic/elasticsearch PR 131261,
 * x-pack/plugin/core/template-resources/src/main/resources/logs@settings.json); our
 * template composes none of the built-in parts, and turning it off explicitly in the
 * template also wins over the `data_streams.failure_store.enabled` cluster setting
 * (server/.../cluster/metadata/DataStreamFailureStoreSettings.java: that setting only
 * applies to streams whose options leave it unset).
 */
export const LOG_FAILURE_STORE_ENABLED = false;

export interface LogIndexTemplatesProps {
  /** The environment whose streams the index template matches (`logs-*-<environment>`). */
  readonly environment: string;
  /** Name of the ECS mappings component template. */
  readonly mappingsTemplateName: string;
  /** Name of the settings component template. */
  readonly settingsTemplateName: string;
  /** Name of the index template. */
  readonly indexTemplateName: string;
  /** ILM policy the backing indices are managed by (a reference to the policy). */
  readonly lifecyclePolicyName: string;
  /** Elasticsearch data nodes: decides the replica count. */
  readonly dataNodes: number;
  /**
   * Index template priority; must be at least OVERLAPPING_TEMPLATE_MIN_PRIORITY.
   * @default 501
   */
  readonly priority?: number;
}

/**
 * Two component templates (ECS mappings; settings that attach the ILM policy) and
 * the index template that composes them for the environment's
 * `logs-<source>-<environment>` data streams, with the failure store off.
 */
export class LogIndexTemplates extends Construct {
  public readonly indexPatterns: readonly string[];
  public readonly priority: number;
  /** The index template resource: data streams are created after it. */
  public readonly indexTemplate: ElasticsearchIndexTemplate;

  public constructor(scope: Construct, id: string, props: LogIndexTemplatesProps) {
    super(scope, id);
    this.priority = props.priority ?? OVERLAPPING_TEMPLATE_MIN_PRIORITY;
    if (!Number.isInteger(this.priority) || this.priority < OVERLAPPING_TEMPLATE_MIN_PRIORITY) {
      throw new ValidationError(
        this,
        `priority must be a whole number of at least ${OVERLAPPING_TEMPLATE_MIN_PRIORITY} (got ${this.priority}): Elastic asks templates overlapping the built-in "logs-*-*" for a priority above 500`,
      );
    }
    for (const [prop, name] of Object.entries({
      mappingsTemplateName: props.mappingsTemplateName,
      settingsTemplateName: props.settingsTemplateName,
      indexTemplateName: props.indexTemplateName,
    })) {
      if (name.includes('@')) throw new ValidationError(this, `${prop} "${name}" contains "@", which Elastic reserves for built-in templates`);
    }
    this.indexPatterns = logIndexPatterns(props.environment);
    const meta = JSON.stringify({ managed_by: 'cdktf', environment: props.environment });

    const mappings = new ElasticsearchComponentTemplate(this, 'mappings', {
      name: props.mappingsTemplateName,
      metadata: meta,
      template: { mappings: JSON.stringify(LOG_MAPPINGS) },
    });
    // The policy name is a reference inside the settings JSON (Terraform interpolates it),
    // so the policy exists before any index could be created with these settings.
    const settings = new ElasticsearchComponentTemplate(this, 'settings', {
      name: props.settingsTemplateName,
      metadata: meta,
      template: { settings: JSON.stringify(reportedAt(this, () => logIndexSettings({ lifecyclePolicyName: props.lifecyclePolicyName, dataNodes: props.dataNodes }))) },
    });
    this.indexTemplate = new ElasticsearchIndexTemplate(this, 'index-template', {
      name: props.indexTemplateName,
      indexPatterns: [...this.indexPatterns],
      // References (not literals): the index template is created after its parts.
      composedOf: [mappings.name, settings.name],
      priority: this.priority,
      dataStream: {},
      // In the index template itself, which wins over any component's data_stream_options.
      // Applied when a stream is created, which is why the streams are resources created
      // after this template (LogDataStreams). The provider's acceptance tests apply this exact
      // shape (v0.16.3 internal/elasticsearch/index/template/testdata/
      // TestAccResourceIndexTemplateDataStreamOptions/update_enabled/index_template.tf).
      template: { dataStreamOptions: { failureStore: { enabled: LOG_FAILURE_STORE_ENABLED } } },
      metadata: meta,
    });
  }
}
