/**
 * The documented schema of the `elastic/elasticstack` provider, for the provider
 * configuration and every resource this project declares, transcribed from the
 * provider's docs (`docs/index.md`, `docs/resources/<name>.md` in
 * elastic/terraform-provider-elasticstack; the tfplugindocs "Schema" sections).
 * Read-only attributes are listed so that setting one is reported, not mistaken
 * for a typo.
 *
 * Doc notation -> table:
 *   (String) / (Number) / (Boolean)       -> 'string' / 'number' / 'bool'
 *   (List of String) / (Set of String)    -> { list: 'string' } / { set: 'string' }
 *   (Attributes) / (Attributes Map)       -> { nested: 'single' | 'map', attributes }
 *   (Block List, Max: 1) / (Block Set)    -> blocks: { nesting: 'list', max: 1 } / { nesting: 'set' }
 */
import { ELASTICSTACK_PROVIDER_VERSION } from '../../constructs/elastic/bindings/index.js';

export type PrimitiveType = 'string' | 'number' | 'bool';

export type AttributeType =
  | PrimitiveType
  | { readonly list: AttributeType }
  | { readonly set: AttributeType }
  | { readonly map: AttributeType }
  | { readonly nested: 'single' | 'map' | 'list'; readonly attributes: Readonly<Record<string, AttributeSchema>> };

export interface AttributeSchema {
  readonly type: AttributeType;
  readonly required?: boolean;
  /** Computed only: may not be set in configuration. */
  readonly readOnly?: boolean;
  readonly sensitive?: boolean;
}

export interface NestedBlockSchema {
  readonly nesting: 'list' | 'set' | 'single';
  readonly min?: number;
  readonly max?: number;
  readonly block: BlockSchema;
}

export interface BlockSchema {
  readonly attributes: Readonly<Record<string, AttributeSchema>>;
  readonly blocks?: Readonly<Record<string, NestedBlockSchema>>;
}

export interface ProviderSchema {
  readonly source: string;
  readonly version: string;
  readonly provider: BlockSchema;
  readonly resources: Readonly<Record<string, BlockSchema>>;
}

const opt = (type: AttributeType, extra: Partial<AttributeSchema> = {}): AttributeSchema => ({ type, ...extra });
const req = (type: AttributeType, extra: Partial<AttributeSchema> = {}): AttributeSchema => ({ type, required: true, ...extra });
const ro = (type: AttributeType): AttributeSchema => ({ type, readOnly: true });
const strings = { list: 'string' } as const;
const one = (block: BlockSchema, min = 0): NestedBlockSchema => ({ nesting: 'list', min, max: 1, block });
const many = (block: BlockSchema): NestedBlockSchema => ({ nesting: 'list', block });

/** `elasticsearch_connection` block of the Elasticsearch resources. */
const elasticsearchConnection: BlockSchema = {
  attributes: {
    api_key: opt('string', { sensitive: true }),
    ca_data: opt('string'),
    ca_file: opt('string'),
    cert_data: opt('string'),
    cert_file: opt('string'),
    key_data: opt('string', { sensitive: true }),
    key_file: opt('string'),
    endpoints: opt(strings, { sensitive: true }),
    insecure: opt('bool'),
    password: opt('string', { sensitive: true }),
    username: opt('string'),
  },
};

/** `kibana_connection` block of the Kibana resources (and the provider's `kibana` block). */
const kibanaConnection: BlockSchema = {
  attributes: {
    api_key: opt('string', { sensitive: true }),
    ca_certs: opt(strings),
    endpoints: opt(strings, { sensitive: true }),
    insecure: opt('bool'),
    password: opt('string', { sensitive: true }),
    username: opt('string'),
  },
};

const fleetConnection: BlockSchema = {
  attributes: {
    api_key: opt('string', { sensitive: true }),
    ca_certs: opt(strings),
    endpoint: opt('string', { sensitive: true }),
    insecure: opt('bool'),
    password: opt('string', { sensitive: true }),
    username: opt('string'),
  },
};

// --- elasticstack_elasticsearch_index_lifecycle ------------------------------------
const minAge = opt('string');
const enabled = (): BlockSchema => ({ attributes: { enabled: opt('bool') } });
const allocate: BlockSchema = {
  attributes: { exclude: opt('string'), include: opt('string'), require: opt('string'), number_of_replicas: opt('number') },
};
const forcemerge: BlockSchema = { attributes: { max_num_segments: req('number'), index_codec: opt('string') } };
const setPriority: BlockSchema = { attributes: { priority: req('number') } };
const shrink: BlockSchema = { attributes: { max_primary_shard_size: opt('string'), number_of_shards: opt('number') } };
const searchableSnapshot: BlockSchema = { attributes: { snapshot_repository: req('string'), force_merge_index: opt('bool') } };
const rollover: BlockSchema = {
  attributes: { max_age: opt('string'), max_docs: opt('number'), max_primary_shard_size: opt('string'), max_size: opt('string') },
};

const indexLifecycle: BlockSchema = {
  attributes: { name: req('string'), metadata: opt('string'), id: ro('string'), modified_date: ro('string') },
  blocks: {
    elasticsearch_connection: one(elasticsearchConnection),
    hot: one({
      attributes: { min_age: minAge },
      blocks: {
        forcemerge: one(forcemerge),
        readonly: one(enabled()),
        rollover: one(rollover),
        searchable_snapshot: one(searchableSnapshot),
        set_priority: one(setPriority),
        shrink: one(shrink),
        unfollow: one(enabled()),
      },
    }),
    warm: one({
      attributes: { min_age: minAge },
      blocks: {
        allocate: one(allocate),
        forcemerge: one(forcemerge),
        migrate: one(enabled()),
        readonly: one(enabled()),
        set_priority: one(setPriority),
        shrink: one(shrink),
        unfollow: one(enabled()),
      },
    }),
    cold: one({
      attributes: { min_age: minAge },
      blocks: {
        allocate: one(allocate),
        freeze: one(enabled()),
        migrate: one(enabled()),
        readonly: one(enabled()),
        searchable_snapshot: one(searchableSnapshot),
        set_priority: one(setPriority),
        unfollow: one(enabled()),
      },
    }),
    frozen: one({ attributes: { min_age: minAge }, blocks: { searchable_snapshot: one(searchableSnapshot) } }),
    delete: one({
      attributes: { min_age: minAge },
      blocks: {
        delete: one({ attributes: { delete_searchable_snapshot: opt('bool') } }),
        wait_for_snapshot: one({ attributes: { policy: req('string') } }),
      },
    }),
  },
};

// --- component and index templates --------------------------------------------------
const alias: BlockSchema = {
  attributes: {
    name: req('string'),
    filter: opt('string'),
    index_routing: opt('string'),
    is_hidden: opt('bool'),
    is_write_index: opt('bool'),
    routing: opt('string'),
    search_routing: opt('string'),
  },
};
const templateBody: BlockSchema = {
  attributes: { mappings: opt('string'), settings: opt('string') },
  blocks: { alias: { nesting: 'set', block: alias } },
};

const componentTemplate: BlockSchema = {
  attributes: { name: req('string'), metadata: opt('string'), version: opt('number'), id: ro('string') },
  blocks: { template: one(templateBody, 1), elasticsearch_connection: one(elasticsearchConnection) },
};

const indexTemplate: BlockSchema = {
  attributes: {
    name: req('string'),
    index_patterns: req({ set: 'string' }),
    composed_of: opt(strings),
    metadata: opt('string'),
    priority: opt('number'),
    version: opt('number'),
    id: ro('string'),
  },
  blocks: {
    data_stream: one({ attributes: { allow_custom_routing: opt('bool'), hidden: opt('bool') } }),
    template: one(templateBody),
    elasticsearch_connection: one(elasticsearchConnection),
  },
};

// docs/resources/elasticsearch_data_stream.md: name (required, forces replacement); the rest is read from the stream.
const dataStream: BlockSchema = {
  attributes: {
    name: req('string'),
    id: ro('string'),
    generation: ro('number'),
    hidden: ro('bool'),
    ilm_policy: ro('string'),
    metadata: ro('string'),
    replicated: ro('bool'),
    status: ro('string'),
    system: ro('bool'),
    template: ro('string'),
    timestamp_field: ro('string'),
  },
  blocks: { elasticsearch_connection: one(elasticsearchConnection) },
};

// --- Kibana ---------------------------------------------------------------------------
const dataView: BlockSchema = {
  attributes: {
    data_view: req({
      nested: 'single',
      attributes: {
        title: req('string'),
        allow_no_index: opt('bool'),
        field_attrs: opt({ nested: 'map', attributes: { count: opt('number'), custom_label: opt('string') } }),
        field_formats: opt({
          nested: 'map',
          attributes: {
            id: req('string'),
            params: opt({
              nested: 'single',
              attributes: { labeltemplate: opt('string'), pattern: opt('string'), urltemplate: opt('string') },
            }),
          },
        }),
        id: opt('string'),
        name: opt('string'),
        namespaces: opt(strings),
        runtime_field_map: opt({ nested: 'map', attributes: { script_source: req('string'), type: req('string') } }),
        source_filters: opt(strings),
        time_field_name: opt('string'),
      },
    }),
    override: opt('bool'),
    space_id: opt('string'),
    id: ro('string'),
  },
  blocks: { kibana_connection: one(kibanaConnection) },
};

const importSavedObjects: BlockSchema = {
  attributes: {
    file_contents: opt('string'),
    file_contents_wo: opt('string', { sensitive: true }),
    file_contents_wo_version: opt('string', { sensitive: true }),
    ignore_import_errors: opt('bool'),
    overwrite: opt('bool'),
    space_id: opt('string'),
    errors: ro({ list: 'string' }),
    id: ro('string'),
    success: ro('bool'),
    success_count: ro('number'),
    success_results: ro({ list: 'string' }),
  },
  blocks: { kibana_connection: one(kibanaConnection) },
};

/** The attributes this project sets, documented alike at v0.13.1 and v0.16.3 (docs/resources/elasticsearch_index.md). */
const elasticsearchIndex: BlockSchema = {
  attributes: {
    name: req('string'),
    mappings: opt('string'),
    number_of_shards: opt('number'),
    number_of_replicas: opt('number'),
    deletion_protection: opt('bool'),
    id: ro('string'),
  },
  blocks: { elasticsearch_connection: one(elasticsearchConnection) },
};

const actionConnector: BlockSchema = {
  attributes: {
    connector_type_id: req('string'),
    name: req('string'),
    config: opt('string'),
    connector_id: opt('string'),
    secrets: opt('string', { sensitive: true }),
    space_id: opt('string'),
    id: ro('string'),
    is_deprecated: ro('bool'),
    is_missing_secrets: ro('bool'),
    is_preconfigured: ro('bool'),
  },
  blocks: { kibana_connection: one(kibanaConnection) },
};

const alertingRule: BlockSchema = {
  attributes: {
    consumer: req('string'),
    interval: req('string'),
    name: req('string'),
    // Optional at v0.13.1 (internal/kibana/alerting.go: Optional) and v0.16.3; deprecated since Kibana 8.13.
    notify_when: opt('string'),
    params: req('string'),
    rule_type_id: req('string'),
    enabled: opt('bool'),
    rule_id: opt('string'),
    space_id: opt('string'),
    tags: opt(strings),
    throttle: opt('string'),
    id: ro('string'),
    last_execution_date: ro('string'),
    last_execution_status: ro('string'),
    scheduled_task_id: ro('string'),
  },
  blocks: {
    actions: many({
      attributes: { id: req('string'), params: req('string'), group: opt('string') },
      blocks: {
        // v0.13.1: Block List, Max: 1 with summary and notify_when required (optional from v0.16).
        frequency: one({ attributes: { summary: req('bool'), notify_when: req('string'), throttle: opt('string') } }),
      },
    }),
    kibana_connection: one(kibanaConnection),
  },
};

export const ELASTICSTACK_SCHEMA: ProviderSchema = {
  source: 'elastic/elasticstack',
  version: ELASTICSTACK_PROVIDER_VERSION,
  provider: {
    attributes: {},
    blocks: {
      elasticsearch: one(elasticsearchConnection),
      kibana: one(kibanaConnection),
      fleet: one(fleetConnection),
    },
  },
  resources: {
    elasticstack_elasticsearch_index_lifecycle: indexLifecycle,
    elasticstack_elasticsearch_component_template: componentTemplate,
    elasticstack_elasticsearch_index_template: indexTemplate,
    elasticstack_elasticsearch_data_stream: dataStream,
    elasticstack_elasticsearch_index: elasticsearchIndex,
    elasticstack_kibana_data_view: dataView,
    elasticstack_kibana_import_saved_objects: importSavedObjects,
    elasticstack_kibana_action_connector: actionConnector,
    elasticstack_kibana_alerting_rule: alertingRule,
  },
};
