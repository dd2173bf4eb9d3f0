import type { TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { ElasticstackResource } from './elasticstack-resource.js';
import { definedOnly } from './provider-version.js';

/** `hot.rollover` / `warm...`: rollover conditions. */
export interface ElasticsearchIndexLifecycleRollover {
  /** `max_age`, e.g. `1d`. */
  readonly maxAge?: string;
  /** `max_primary_shard_size`, e.g. `10gb`. */
  readonly maxPrimaryShardSize?: string;
  /** `max_docs`. */
  readonly maxDocs?: number;
  /** `max_size`. */
  readonly maxSize?: string;
}

/** `hot` phase block (only the actions this project uses are exposed). */
export interface ElasticsearchIndexLifecycleHot {
  /** `min_age`. */
  readonly minAge?: string;
  readonly rollover?: ElasticsearchIndexLifecycleRollover;
  /** `set_priority.priority`. */
  readonly setPriority?: number;
}

/** `delete` phase block. */
export interface ElasticsearchIndexLifecycleDelete {
  /** `min_age`: age (since rollover) after which the index is deleted. */
  readonly minAge?: string;
  /** `delete` action block; `{}` just deletes. */
  readonly delete?: { readonly deleteSearchableSnapshot?: boolean };
}

export interface ElasticsearchIndexLifecycleConfig extends TerraformMetaArguments {
  /** `name` (required): identifier of the policy. */
  readonly name: string;
  /** `metadata`: JSON document of user metadata. */
  readonly metadata?: string;
  readonly hot?: ElasticsearchIndexLifecycleHot;
  readonly delete?: ElasticsearchIndexLifecycleDelete;
}

/** `elasticstack_elasticsearch_index_lifecycle`: an ILM policy. */
export class ElasticsearchIndexLifecycle extends ElasticstackResource<ElasticsearchIndexLifecycleConfig> {
  public static readonly tfResourceType = 'elasticstack_elasticsearch_index_lifecycle';

  public constructor(scope: Construct, id: string, config: ElasticsearchIndexLifecycleConfig) {
    super(scope, id, ElasticsearchIndexLifecycle.tfResourceType, config);
  }

  /** `name` as a reference (creates a dependency on this policy). */
  public get name(): string {
    return this.getStringAttribute('name');
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const c = this.resourceConfig;
    const { hot, delete: del } = c;
    // Phases and actions are "Block, Optional" (single nested blocks since the 0.14.4
    // Plugin Framework migration): objects, `{}` for an action without settings.
    return definedOnly({
      name: c.name,
      metadata: c.metadata,
      hot: hot
        ? definedOnly({
            min_age: hot.minAge,
            rollover: hot.rollover
              ? definedOnly({
                  max_age: hot.rollover.maxAge,
                  max_primary_shard_size: hot.rollover.maxPrimaryShardSize,
                  max_docs: hot.rollover.maxDocs,
                  max_size: hot.rollover.maxSize,
                })
              : undefined,
            set_priority: hot.setPriority === undefined ? undefined : { priority: hot.setPriority },
          })
        : undefined,
      delete: del
        ? definedOnly({
            min_age: del.minAge,
            delete: del.delete ? definedOnly({ delete_searchable_snapshot: del.delete.deleteSearchableSnapshot }) : undefined,
          })
        : undefined,
    });
  }
}
