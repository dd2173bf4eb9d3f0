import type { estypes } from '@elastic/elasticsearch';
import { dataStreamName } from '@platform/contract';
import { ValidationError, requireWholeNumber } from '../private/validation.js';

/**
 * The one definition of how platform log lines are mapped in Elasticsearch.
 *
 * The component templates of the `<env>-elastic` stack carry these mappings and
 * settings, and the log contract test checks real service lines against the same
 * objects, so the template and the services cannot silently disagree.
 *
 * Everything is typed with the official client's types: a misspelled mapping
 * option or a wrong field type fails compilation.
 */

/** ECS release the mappings follow (the version `@elastic/ecs-pino-format` writes in `ecs.version`). */
export const ECS_VERSION = '8.10.0';

/** Longest string a dynamically mapped keyword indexes; longer values are kept in `_source` only. */
const KEYWORD_IGNORE_ABOVE = 1024;

const keyword = (): estypes.MappingKeywordProperty => ({ type: 'keyword', ignore_above: KEYWORD_IGNORE_ABOVE });
const long = (): estypes.MappingLongNumberProperty => ({ type: 'long' });
const ip = (): estypes.MappingIpProperty => ({ type: 'ip' });
const date = (): estypes.MappingDateProperty => ({ type: 'date' });
/** Free text that is searched but never aggregated (ECS uses `match_only_text` for these). */
const text = (): estypes.MappingMatchOnlyTextProperty => ({ type: 'match_only_text' });
/** Keyword for aggregations plus a `.text` sub-field for full-text search. */
const keywordWithText = (): estypes.MappingKeywordProperty => ({
  ...keyword(),
  fields: { text: { type: 'match_only_text' } },
});
const object = (properties: Record<string, estypes.MappingProperty>): estypes.MappingObjectProperty => ({
  type: 'object',
  properties,
});

/** `http.request.body` / `http.response.body`: ECS keeps only their size. */
const bodySize = () => object({ bytes: long() });

/**
 * Fields every line carries (DESIGN.md "Log contract"), the domain-event fields,
 * the request fields both the services (ecs-pino-format) and nginx (its JSON
 * access log, mapped onto ECS by Logstash) write, and what Filebeat/Logstash add.
 */
const LOG_FIELDS: Record<string, estypes.MappingProperty> = {
  '@timestamp': date(),
  '@version': keyword(),
  message: text(),
  tags: keyword(),
  labels: { type: 'object', dynamic: true },
  ecs: object({ version: keyword() }),
  log: object({
    level: keyword(),
    logger: keyword(),
    offset: long(),
    file: object({ path: keyword() }),
    origin: object({
      function: keyword(),
      file: object({ name: keyword(), line: long() }),
    }),
  }),
  service: object({
    name: keyword(),
    environment: keyword(),
    version: keyword(),
    node: object({ name: keyword() }),
  }),
  event: object({
    action: keyword(),
    category: keyword(),
    dataset: keyword(),
    kind: keyword(),
    module: keyword(),
    outcome: keyword(),
    type: keyword(),
    created: date(),
    ingested: date(),
    /** Nanoseconds (ECS); Logstash converts nginx's `request_time` seconds to this. */
    duration: long(),
    /** The raw line, kept for reprocessing only: not searchable, no doc values. */
    original: { type: 'keyword', index: false, doc_values: false },
  }),
  user: object({ id: keyword(), name: keyword(), email: keyword() }),
  /** Not an ECS field set: the order-service's domain id, mapped like ECS ids (keyword). */
  order: object({ id: keyword() }),
  /** ECS trace correlation (OpenTelemetry ids, hex), on lines written inside a span: Kibana links a line to its trace. */
  trace: object({ id: keyword() }),
  span: object({ id: keyword() }),
  http: object({
    version: keyword(),
    /** The matched route template (`/users/:id`) the services log: bounded, so fit for aggregations. */
    route: keyword(),
    request: object({
      id: keyword(),
      method: keyword(),
      mime_type: keyword(),
      referrer: keyword(),
      bytes: long(),
      body: bodySize(),
    }),
    response: object({
      status_code: long(),
      mime_type: keyword(),
      bytes: long(),
      body: bodySize(),
    }),
  }),
  url: object({
    original: keywordWithText(),
    full: keywordWithText(),
    path: keyword(),
    query: keyword(),
    scheme: keyword(),
    domain: keyword(),
    port: long(),
  }),
  client: object({ ip: ip(), address: keyword(), port: long() }),
  source: object({ ip: ip(), address: keyword(), port: long() }),
  user_agent: object({ original: keywordWithText(), name: keyword(), version: keyword() }),
  error: object({
    message: text(),
    type: keyword(),
    code: keyword(),
    id: keyword(),
    /** Stack traces exceed any keyword limit; wildcard keeps them searchable in full. */
    stack_trace: { type: 'wildcard' },
  }),
  process: object({ pid: long(), name: keyword() }),
  host: object({ hostname: keyword(), name: keyword(), ip: ip() }),
  container: object({ id: keyword(), name: keyword() }),
  agent: object({ name: keyword(), type: keyword(), version: keyword(), id: keyword(), ephemeral_id: keyword() }),
  input: object({ type: keyword() }),
  data_stream: object({ type: keyword(), dataset: keyword(), namespace: keyword() }),
  /** What nginx logs beyond ECS (upstream timing), as Logstash places it. */
  nginx: object({
    access: object({
      upstream: object({ address: keyword(), response_time: { type: 'float' }, status: keyword() }),
    }),
  }),
};

/**
 * The ECS mappings of the log data streams.
 *
 * `dynamic: true` keeps ingestion working for fields nobody declared; the dynamic
 * template maps such strings to keyword (aggregatable, bounded) instead of the
 * default text + keyword pair.
 */
export const LOG_MAPPINGS = {
  dynamic: true,
  date_detection: false,
  _meta: { description: 'ECS mappings of the platform log data streams', ecs_version: ECS_VERSION },
  dynamic_templates: [
    {
      strings_as_keyword: {
        match_mapping_type: 'string',
        mapping: { type: 'keyword', ignore_above: KEYWORD_IGNORE_ABOVE },
      },
    },
  ],
  properties: LOG_FIELDS,
} satisfies estypes.MappingTypeMapping;

/**
 * The index settings we set, picked from the client's settings keys so an unknown
 * key fails compilation (`IndicesIndexSettings` itself accepts any key).
 */
export type LogIndexSettings = {
  readonly index: Pick<estypes.IndicesIndexSettingsKeys, 'number_of_replicas' | 'codec'> & {
    readonly lifecycle: Pick<estypes.IndicesIndexSettingsLifecycle, 'name'>;
    readonly mapping: Pick<estypes.IndicesMappingLimitSettings, 'total_fields' | 'ignore_malformed'>;
  };
};

/** What the log index settings depend on. */
export interface LogIndexSettingsOptions {
  /** ILM policy that manages the backing indices. */
  readonly lifecyclePolicyName: string;
  /** Elasticsearch data nodes; a single node gets no replicas (it could never allocate them). */
  readonly dataNodes: number;
}

/** Replicas per shard on `dataNodes` data nodes: one where another node can hold it, none on a single node (which would stay yellow). */
export function replicaCount(dataNodes: number): 0 | 1 {
  return dataNodes > 1 ? 1 : 0;
}

/** Settings of every backing index of the log data streams. */
export function logIndexSettings(options: LogIndexSettingsOptions): LogIndexSettings {
  if (options.lifecyclePolicyName.trim() === '') {
    throw new ValidationError('logIndexSettings', 'lifecyclePolicyName must not be empty');
  }
  requireWholeNumber('logIndexSettings', 'dataNodes', options.dataNodes, { min: 1 });
  return {
    index: {
      lifecycle: { name: options.lifecyclePolicyName },
      number_of_replicas: replicaCount(options.dataNodes),
      codec: 'best_compression',
      mapping: {
        total_fields: { limit: 2000 },
        // A stray malformed value (e.g. a non-IP in source.ip from an unexpected line) is kept
        // in _source instead of rejecting the whole line; the log contract test keeps our own
        // lines free of such values.
        ignore_malformed: true,
      },
    },
  } satisfies LogIndexSettings satisfies estypes.IndicesIndexSettings;
}

/**
 * Index patterns of the environment's log data streams, matching every name
 * `dataStreamName(source, environment)` gives (`logs-*-<environment>`).
 */
export function logIndexPatterns(environment: string): string[] {
  return [dataStreamName('*', environment)];
}
