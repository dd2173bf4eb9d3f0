/**
 * The documented schema of the `elastic/elasticstack` provider, for the provider
 * configuration and every resource this project declares, transcribed from the
 * provider's docs (`docs/index.md`, `docs/resources/<name>.md` in
 * elastic/terraform-provider-elasticstack; the tfplugindocs "Schema" sections).
 * Read-only attributes are listed so that setting one is reported, not mistaken
 * for a typo.
 *
 * Transcribed at the pinned tag (v0.16.3); where a docs page was ambiguous the
 * resource's schema code at that tag decided (noted below).
 *
 * Doc notation -> table:
 *   (String) / (Number) / (Boolean)       -> 'string' / 'number' / 'bool'
 *   (List of String) / (Set of String)    -> { list: 'string' } / { set: 'string' }
 *   (Attributes) / (Attributes Map)       -> { nested: 'single' | 'map', attributes }
 *   (Block, Optional)                     -> blocks: { nesting: 'single' } (Plugin Framework
 *                                            SingleNestedBlock: one JSON object, never a list)
 *   (Block List) / (Block Set)            -> blocks: { nesting: 'list' } / { nesting: 'set' }
 *                                            (connection blocks: at most one, listvalidator.SizeAtMost(1))
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

type BlockSchemasByType = Readonly<Record<string, BlockSchema>>;

export interface ProviderSchema {
  readonly source: string;
  readonly version: string;
  readonly provider: BlockSchema;
  /** Resources by type. */
  readonly resources: BlockSchemasByType;
  /** Data sources (`data` blocks) by type. */
  readonly dataSources: BlockSchemasByType;
}

const opt = (type: AttributeType, extra: Partial<AttributeSchema> = {}): AttributeSchema => ({ type, ...extra });
const req = (type: AttributeType, extra: Partial<AttributeSchema> = {}): AttributeSchema => ({ type, required: true, ...extra });
const ro = (type: AttributeType): AttributeSchema => ({ type, readOnly: true });
const strings = { list: 'string' } as const;
const nested = (attributes: Record<string, AttributeSchema>): AttributeType => ({ nested: 'single', attributes });
/** A "Block List" limited to one element (the connection blocks). */
const one = (block: BlockSchema): NestedBlockSchema => ({ nesting: 'list', max: 1, block });
const many = (block: BlockSchema): NestedBlockSchema => ({ nesting: 'list', block });
/** "Block, Optional": a single nested block, written as one object. */
const single = (block: BlockSchema): NestedBlockSchema => ({ nesting: 'single', block });

/** `timeouts` (Attributes) of the resources that have it. */
const timeouts = opt(nested({ create: opt('string'), read: opt('string'), update: opt('string'), delete: opt('string') }));

/** How every connection block (provider and per-resource) authenticates. */
const connectionCredentials = {
  api_key: opt('string', { sensitive: true }),
  bearer_token: opt('string', { sensitive: true }),
  insecure: opt('bool'),
  password: opt('string', { sensitive: true }),
  username: opt('string'),
};

/** `elasticsearch_connection` block of the Elasticsearch resources, and the provider's `elasticsearch` block. */
const elasticsearchConnection: BlockSchema = {
  attributes: {
    ...connectionCredentials,
    ca_data: opt('string'),
    ca_file: opt('string'),
    ca_fingerprint: opt('string'),
    cert_data: opt('string'),
    cert_file: opt('string'),
    endpoints: opt(strings, { sensitive: true }),
    es_client_authentication: opt('string', { sensitive: true }),
    headers: opt({ map: 'string' }, { sensitive: true }),
    key_data: opt('string', { sensitive: true }),
    key_file: opt('string'),
  },
};

/** `kibana_connection` block of the Kibana resources (and the provider's `kibana` block). */
const kibanaConnection: BlockSchema = {
  attributes: {
    ...connectionCredentials,
    ca_certs: opt(strings),
    endpoints: opt(strings, { sensitive: true }),
  },
};

const fleetConnection: BlockSchema = {
  attributes: {
    ...connectionCredentials,
    ca_certs: opt(strings),
    endpoint: opt('string', { sensitive: true }),
  },
};

/** A resource or data source whose only block is the provider's Elasticsearch connection override. */
const elasticsearchApi = (attributes: Readonly<Record<string, AttributeSchema>>): BlockSchema => ({
  attributes,
  blocks: { elasticsearch_connection: one(elasticsearchConnection) },
});
/** A resource whose only block is the provider's Kibana connection override. */
const kibanaApi = (attributes: Readonly<Record<string, AttributeSchema>>): BlockSchema => ({ attributes, blocks: { kibana_connection: one(kibanaConnection) } });

// --- elasticstack_elasticsearch_index_lifecycle ------------------------------------
// Every phase and action is "Block, Optional". Settings the docs call "Required when the
// action is configured" are Optional in the schema (checked by the provider at plan time).
const minAge = opt('string');
const enabled = (): BlockSchema => ({ attributes: { enabled: opt('bool') } });
const allocate: BlockSchema = {
  attributes: {
    exclude: opt('string'),
    include: opt('string'),
    require: opt('string'),
    number_of_replicas: opt('number'),
    total_shards_per_node: opt('number'),
  },
};
const downsample: BlockSchema = { attributes: { fixed_interval: opt('string'), wait_timeout: opt('string') } };
const forcemerge: BlockSchema = { attributes: { max_num_segments: opt('number'), index_codec: opt('string') } };
const setPriority: BlockSchema = { attributes: { priority: opt('number') } };
const shrink: BlockSchema = {
  attributes: { allow_write_after_shrink: opt('bool'), max_primary_shard_size: opt('string'), number_of_shards: opt('number') },
};
const searchableSnapshot: BlockSchema = { attributes: { snapshot_repository: opt('string'), force_merge_index: opt('bool') } };
const rollover: BlockSchema = {
  attributes: {
    max_age: opt('string'),
    max_docs: opt('number'),
    max_primary_shard_docs: opt('number'),
    max_primary_shard_size: opt('string'),
    max_size: opt('string'),
    min_age: opt('string'),
    min_docs: opt('number'),
    min_primary_shard_docs: opt('number'),
    min_primary_shard_size: opt('string'),
    min_size: opt('string'),
  },
};

/** An ILM phase: `min_age` and its actions, each a single nested block. */
const phase = (actions: Readonly<Record<string, BlockSchema>>): NestedBlockSchema =>
  single({ attributes: { min_age: minAge }, blocks: Object.fromEntries(Object.entries(actions).map(([name, action]) => [name, single(action)])) });

const indexLifecycle: BlockSchema = {
  attributes: { name: req('string'), metadata: opt('string'), force_destroy: opt('bool'), timeouts, id: ro('string'), modified_date: ro('string') },
  blocks: {
    elasticsearch_connection: one(elasticsearchConnection),
    hot: phase({ downsample, forcemerge, readonly: enabled(), rollover, searchable_snapshot: searchableSnapshot, set_priority: setPriority, shrink, unfollow: enabled() }),
    warm: phase({ allocate, downsample, forcemerge, migrate: enabled(), readonly: enabled(), set_priority: setPriority, shrink, unfollow: enabled() }),
    cold: phase({ allocate, downsample, freeze: enabled(), migrate: enabled(), readonly: enabled(), searchable_snapshot: searchableSnapshot, set_priority: setPriority, unfollow: enabled() }),
    frozen: phase({ searchable_snapshot: searchableSnapshot }),
    delete: single({
      attributes: { min_age: minAge },
      blocks: {
        delete: single({ attributes: { delete_searchable_snapshot: opt('bool') } }),
        wait_for_snapshot: single({ attributes: { policy: opt('string') } }),
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
/** `template.data_stream_options` (Elasticsearch 9.1+; internal/elasticsearch/index/datastreamoptions/schema.go). */
const dataStreamOptions: BlockSchema = {
  attributes: {},
  blocks: {
    failure_store: single({ attributes: { enabled: opt('bool') }, blocks: { lifecycle: single({ attributes: { data_retention: opt('string') } }) } }),
  },
};
const componentTemplateBody: BlockSchema = {
  attributes: { mappings: opt('string'), settings: opt('string') },
  blocks: { alias: { nesting: 'set', block: alias }, data_stream_options: single(dataStreamOptions) },
};
const indexTemplateBody: BlockSchema = {
  attributes: componentTemplateBody.attributes,
  blocks: { ...componentTemplateBody.blocks, lifecycle: single({ attributes: { data_retention: opt('string') } }) },
};

// `template` became optional with the Plugin Framework migration (0.15.0).
const componentTemplate: BlockSchema = {
  attributes: { name: req('string'), metadata: opt('string'), version: opt('number'), timeouts, id: ro('string') },
  blocks: { template: single(componentTemplateBody), elasticsearch_connection: one(elasticsearchConnection) },
};

const indexTemplate: BlockSchema = {
  attributes: {
    name: req('string'),
    index_patterns: req({ set: 'string' }),
    allow_auto_create: opt('bool'),
    composed_of: opt(strings),
    ignore_missing_component_templates: opt(strings),
    metadata: opt('string'),
    priority: opt('number'),
    version: opt('number'),
    timeouts,
    id: ro('string'),
  },
  blocks: {
    data_stream: single({ attributes: { allow_custom_routing: opt('bool'), hidden: opt('bool') } }),
    template: single(indexTemplateBody),
    elasticsearch_connection: one(elasticsearchConnection),
  },
};

// docs/resources/elasticsearch_data_stream.md: name (required, forces replacement); the rest is read from the stream.
const dataStream = elasticsearchApi({
  name: req('string'),
  timeouts,
  id: ro('string'),
  generation: ro('number'),
  hidden: ro('bool'),
  ilm_policy: ro('string'),
  indices: ro({ nested: 'list', attributes: { index_name: ro('string'), index_uuid: ro('string') } }),
  metadata: ro('string'),
  replicated: ro('bool'),
  status: ro('string'),
  system: ro('bool'),
  template: ro('string'),
  timestamp_field: ro('string'),
});

// --- Kibana ---------------------------------------------------------------------------
const fieldFormatParams = nested({
  colors: opt({ nested: 'list', attributes: { background: opt('string'), range: opt('string'), regex: opt('string'), text: opt('string') } }),
  field_length: opt('number'),
  field_type: opt('string'),
  height: opt('number'),
  include_space_with_suffix: opt('bool'),
  input_format: opt('string'),
  labeltemplate: opt('string'),
  lookup_entries: opt({ nested: 'list', attributes: { key: req('string'), value: req('string') } }),
  output_format: opt('string'),
  output_precision: opt('number'),
  pattern: opt('string'),
  timezone: opt('string'),
  transform: opt('string'),
  type: opt('string'),
  unknown_key_value: opt('string'),
  urltemplate: opt('string'),
  use_short_suffix: opt('bool'),
  width: opt('number'),
});

const dataView = kibanaApi({
  data_view: req(
    nested({
      title: req('string'),
      allow_no_index: opt('bool'),
      field_attrs: opt({ nested: 'map', attributes: { count: opt('number'), custom_label: opt('string') } }),
      field_formats: opt({ nested: 'map', attributes: { id: req('string'), params: opt(fieldFormatParams) } }),
      id: opt('string'),
      name: opt('string'),
      namespaces: opt(strings),
      runtime_field_map: opt({ nested: 'map', attributes: { script_source: req('string'), type: req('string') } }),
      source_filters: opt(strings),
      time_field_name: opt('string'),
    }),
  ),
  override: opt('bool'),
  space_id: opt('string'),
  timeouts,
  id: ro('string'),
});

const savedObjectMeta = { icon: ro('string'), title: ro('string') };
const importSavedObjects = kibanaApi({
  file_contents: req('string'),
  compatibility_mode: opt('bool'),
  create_new_copies: opt('bool'),
  ignore_import_errors: opt('bool'),
  overwrite: opt('bool'),
  space_id: opt('string'),
  errors: ro({
    nested: 'list',
    attributes: { error: ro(nested({ type: ro('string') })), id: ro('string'), meta: ro(nested(savedObjectMeta)), title: ro('string'), type: ro('string') },
  }),
  id: ro('string'),
  success: ro('bool'),
  success_count: ro('number'),
  success_results: ro({
    nested: 'list',
    attributes: { destination_id: ro('string'), id: ro('string'), meta: ro(nested(savedObjectMeta)), type: ro('string') },
  }),
});

/** The attributes this project sets, documented alike at v0.13.1 and v0.16.3 (docs/resources/elasticsearch_index.md). */
const elasticsearchIndex = elasticsearchApi({
  name: req('string'),
  mappings: opt('string'),
  number_of_shards: opt('number'),
  number_of_replicas: opt('number'),
  deletion_protection: opt('bool'),
  id: ro('string'),
});

const actionConnector = kibanaApi({
  connector_type_id: req('string'),
  name: req('string'),
  config: opt('string'),
  connector_id: opt('string'),
  secrets: opt('string', { sensitive: true }),
  // Write-only (Terraform 1.11+): never stored in state or plan.
  secrets_wo: opt('string', { sensitive: true }),
  secrets_wo_version: opt('string'),
  space_id: opt('string'),
  timeouts,
  id: ro('string'),
  is_deprecated: ro('bool'),
  is_missing_secrets: ro('bool'),
  is_preconfigured: ro('bool'),
});

// internal/kibana/alertingrule/schema.go at v0.16.3: `actions` is a ListNestedBlock; its
// `frequency` and `alerts_filter` (and `alerts_filter.timeframe`) are SingleNestedBlocks whose
// attributes are Optional in the schema, with AlsoRequires validators (frequency: summary and
// notify_when; timeframe: all four).
const alertingRule: BlockSchema = {
  attributes: {
    consumer: req('string'),
    interval: req('string'),
    name: req('string'),
    params: req('string'),
    rule_type_id: req('string'),
    alert_delay: opt('number'),
    enabled: opt('bool'),
    flapping: opt(nested({ enabled: opt('bool'), look_back_window: opt('number'), status_change_threshold: opt('number') })),
    notify_when: opt('string'),
    rule_id: opt('string'),
    space_id: opt('string'),
    tags: opt({ set: 'string' }),
    throttle: opt('string'),
    timeouts,
    id: ro('string'),
    last_execution_date: ro('string'),
    last_execution_status: ro('string'),
    scheduled_task_id: ro('string'),
  },
  blocks: {
    actions: many({
      attributes: { id: req('string'), params: req('string'), group: opt('string') },
      blocks: {
        frequency: single({ attributes: { notify_when: opt('string'), summary: opt('bool'), throttle: opt('string') } }),
        alerts_filter: single({
          attributes: { kql: opt('string') },
          blocks: {
            timeframe: single({ attributes: { days: opt({ list: 'number' }), hours_end: opt('string'), hours_start: opt('string'), timezone: opt('string') } }),
          },
        }),
      },
    }),
    kibana_connection: one(kibanaConnection),
  },
};

// --- Snapshots (docs/resources/elasticsearch_snapshot_repository.md, elasticsearch_snapshot_lifecycle.md) ---
// Every repository type is "Block, Optional" (a single nested block; the provider's schema.go
// at v0.16.3 adds ExactlyOneOf across them, checked at plan time, not here).
const repositoryCommon = {
  chunk_size: opt('string'),
  compress: opt('bool'),
  max_restore_bytes_per_sec: opt('string'),
  max_snapshot_bytes_per_sec: opt('string'),
  readonly: opt('bool'),
};
const snapshotRepository: BlockSchema = {
  attributes: { name: req('string'), verify: opt('bool'), timeouts, id: ro('string') },
  blocks: {
    elasticsearch_connection: one(elasticsearchConnection),
    azure: single({
      attributes: { ...repositoryCommon, base_path: opt('string'), client: opt('string'), container: opt('string'), location_mode: opt('string') },
    }),
    fs: single({ attributes: { ...repositoryCommon, location: opt('string'), max_number_of_snapshots: opt('number') } }),
    gcs: single({ attributes: { ...repositoryCommon, base_path: opt('string'), bucket: opt('string'), client: opt('string') } }),
    hdfs: single({ attributes: { ...repositoryCommon, load_defaults: opt('bool'), path: opt('string'), uri: opt('string') } }),
    s3: single({
      attributes: {
        ...repositoryCommon,
        base_path: opt('string'),
        bucket: opt('string'),
        buffer_size: opt('string'),
        canned_acl: opt('string'),
        client: opt('string'),
        endpoint: opt('string'),
        path_style_access: opt('bool'),
        server_side_encryption: opt('bool'),
        storage_class: opt('string'),
      },
    }),
    url: single({
      attributes: {
        ...repositoryCommon,
        http_max_retries: opt('number'),
        http_socket_timeout: opt('string'),
        max_number_of_snapshots: opt('number'),
        url: opt('string'),
      },
    }),
  },
};
const snapshotLifecycle = elasticsearchApi({
  name: req('string'),
  repository: req('string'),
  schedule: req('string'),
  expand_wildcards: opt('string'),
  expire_after: opt('string'),
  feature_states: opt({ set: 'string' }),
  ignore_unavailable: opt('bool'),
  include_global_state: opt('bool'),
  indices: opt(strings),
  max_count: opt('number'),
  metadata: opt('string'),
  min_count: opt('number'),
  partial: opt('bool'),
  snapshot_name: opt('string'),
  timeouts,
  id: ro('string'),
});

// docs/data-sources/elasticsearch_info.md at v0.16.3: no argument but the connection block;
// everything else is read-only (`version` is an Attributes List).
const elasticsearchInfo = elasticsearchApi({
  cluster_name: ro('string'),
  cluster_uuid: ro('string'),
  id: ro('string'),
  name: ro('string'),
  tagline: ro('string'),
  version: ro({
    nested: 'list',
    attributes: {
      build_date: ro('string'),
      build_flavor: ro('string'),
      build_hash: ro('string'),
      build_snapshot: ro('bool'),
      build_type: ro('string'),
      lucene_version: ro('string'),
      minimum_index_compatibility_version: ro('string'),
      minimum_wire_compatibility_version: ro('string'),
      number: ro('string'),
    },
  }),
});

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
    elasticstack_elasticsearch_snapshot_repository: snapshotRepository,
    elasticstack_elasticsearch_snapshot_lifecycle: snapshotLifecycle,
    elasticstack_kibana_data_view: dataView,
    elasticstack_kibana_import_saved_objects: importSavedObjects,
    elasticstack_kibana_action_connector: actionConnector,
    elasticstack_kibana_alerting_rule: alertingRule,
  },
  dataSources: {
    elasticstack_elasticsearch_info: elasticsearchInfo,
  },
};
