import { Construct } from 'constructs';
import { ElasticsearchComponentTemplate, ElasticsearchIndexTemplate } from './bindings/index.js';
import { LOG_MAPPINGS, logIndexPatterns, logIndexSettings } from './log-mappings.js';

/** Priority of Elasticsearch's built-in `logs-*-*` index template. */
export const BUILTIN_LOGS_TEMPLATE_PRIORITY = 100;

export interface LogIndexTemplatesProps {
  readonly environment: string;
  /** Name of the ECS mappings component template. */
  readonly mappingsTemplateName: string;
  /** Name of the settings component template. */
  readonly settingsTemplateName: string;
  /** Name of the index template. */
  readonly indexTemplateName: string;
  /** ILM policy the backing indices are managed by (a reference to the policy). */
  readonly lifecyclePolicyName: string;
  /** Elasticsearch data nodes (config.elasticsearch.nodes): decides the replica count. */
  readonly dataNodes: number;
  /**
   * Index template priority; must beat the built-in `logs-*-*` template.
   * @default 200
   */
  readonly priority?: number;
}

/**
 * Two component templates (ECS mappings; settings that attach the ILM policy) and
 * the index template that composes them for the environment's
 * `logs-<source>-<environment>` data streams.
 */
export class LogIndexTemplates extends Construct {
  public readonly indexPatterns: readonly string[];
  public readonly priority: number;
  /** The index template resource: data streams are created after it. */
  public readonly indexTemplate: ElasticsearchIndexTemplate;

  public constructor(scope: Construct, id: string, props: LogIndexTemplatesProps) {
    super(scope, id);
    this.priority = props.priority ?? 200;
    if (!Number.isInteger(this.priority) || this.priority <= BUILTIN_LOGS_TEMPLATE_PRIORITY) {
      throw new Error(
        `LogIndexTemplates: priority ${this.priority} must be a whole number above ${BUILTIN_LOGS_TEMPLATE_PRIORITY}, the built-in "logs-*-*" template's, or that template would win`,
      );
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
      template: { settings: JSON.stringify(logIndexSettings({ lifecyclePolicyName: props.lifecyclePolicyName, dataNodes: props.dataNodes })) },
    });
    this.indexTemplate = new ElasticsearchIndexTemplate(this, 'index-template', {
      name: props.indexTemplateName,
      indexPatterns: [...this.indexPatterns],
      // References (not literals): the index template is created after its parts.
      composedOf: [mappings.name, settings.name],
      priority: this.priority,
      dataStream: {},
      metadata: meta,
    });
  }
}
