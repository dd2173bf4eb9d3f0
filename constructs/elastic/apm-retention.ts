import { Construct } from 'constructs';
import { ElasticsearchComponentTemplate } from './bindings/index.js';
import { replicaCount } from './log-mappings.js';
import { ValidationError, requireWholeNumber } from '../private/validation.js';

/**
 * The `@custom` component templates of the APM data streams whose retention the platform sets.
 * Elasticsearch's built-in apm-data plugin installs the APM index templates and composes each of
 * them of an (optional, missing by default) `<name>@custom` after its built-in parts, so what is
 * set there wins: `traces-apm@template` is composed of `apm-10d@lifecycle` (a 10-day data stream
 * lifecycle) and then `traces-apm@custom`; `logs-apm.error@template` likewise ends in
 * `logs-apm.error@custom` (elastic/elasticsearch x-pack/plugin/apm-data/src/main/resources/
 * index-templates/traces-apm@template.yaml, logs-apm.error@template.yaml, as stored at 103b1f8
 * and 0119533). The names contain `@` on purpose: they are the plugin's extension points.
 */
export const APM_CUSTOM_TEMPLATES = ['traces-apm@custom', 'logs-apm.error@custom'] as const;

export interface ApmRetentionProps {
  /** The ILM policy the APM backing indices are managed by (a reference: the log policy, so traces age like logs). */
  readonly lifecyclePolicyName: string;
  /** Elasticsearch data nodes: decides the replica count. */
  readonly dataNodes: number;
  /** The environment, recorded in the templates' metadata. */
  readonly environment: string;
}

/**
 * Ties the retention of APM traces and errors to the platform's log retention: the `@custom`
 * templates attach the given ILM policy with `index.lifecycle.prefer_ilm: true`, so ILM rather
 * than the plugin's data stream lifecycle manages every backing index created from then on. The
 * provider's component template (elastic/elasticstack 0.16.3) has no `template.lifecycle`
 * block, so a data stream lifecycle retention cannot be set there; ILM is what it can set.
 */
export class ApmRetention extends Construct {
  /** The component templates' names as references: APM Server starts after them. */
  public readonly templateNames: readonly string[];

  public constructor(scope: Construct, id: string, props: ApmRetentionProps) {
    super(scope, id);
    if (props.lifecyclePolicyName.trim() === '') throw new ValidationError(this, 'lifecyclePolicyName must not be empty');
    requireWholeNumber(this, 'dataNodes', props.dataNodes, { min: 1 });
    const settings = {
      index: {
        // prefer_ilm: some plugin versions compose a `*-fallback@lifecycle` part that sets it to false.
        lifecycle: { name: props.lifecyclePolicyName, prefer_ilm: true },
        number_of_replicas: replicaCount(props.dataNodes),
      },
    };
    const meta = JSON.stringify({ managed_by: 'cdktf', environment: props.environment, purpose: 'APM retention follows logRetentionDays' });
    this.templateNames = APM_CUSTOM_TEMPLATES.map(
      (name) =>
        new ElasticsearchComponentTemplate(this, name.replace(/[@.]/g, '-'), {
          name,
          metadata: meta,
          template: { settings: JSON.stringify(settings) },
        }).name,
    );
  }
}
