import { NGINX_LOG_SOURCE, dataStreamName, type ServiceDeclaration } from '@platform/contract';
import { ValidationError } from '../private/validation.js';

/**
 * The Kibana saved objects of the platform dashboard, generated from the service
 * catalog: Lens visualizations, a saved search and the dashboard that lays them
 * out. They are imported as NDJSON (the saved objects export format); the data
 * view they reference is created separately, with a stable id.
 */

export interface SavedObjectReference {
  readonly name: string;
  readonly type: 'index-pattern' | 'lens' | 'search';
  readonly id: string;
}

export type SavedObjectType = 'lens' | 'search' | 'dashboard';

export interface SavedObject {
  readonly id: string;
  readonly type: SavedObjectType;
  readonly attributes: Record<string, unknown>;
  readonly references: readonly SavedObjectReference[];
  /** The Kibana release whose saved-object format this is; Kibana migrates newer-format-aware from there. */
  readonly coreMigrationVersion: string;
  /** Version of this type's format; without it Kibana would replay every migration since 7.x on a modern document. */
  readonly typeMigrationVersion: string;
}

/**
 * The formats the objects below are written in (Kibana 8.8+ exports: Lens with the
 * `formBased` datasource, by-reference dashboard panels). Kibana runs only the
 * migrations after these versions on import.
 */
export const SAVED_OBJECT_FORMAT = {
  core: '8.8.0',
  lens: '8.9.0',
  dashboard: '8.9.0',
  search: '8.0.0',
} as const satisfies { core: string } & Record<SavedObjectType, string>;

const versioned = (type: SavedObjectType) => ({
  coreMigrationVersion: SAVED_OBJECT_FORMAT.core,
  typeMigrationVersion: SAVED_OBJECT_FORMAT[type],
});

export interface DashboardSavedObjectsOptions {
  readonly environment: string;
  /** The catalog: one log source (and one nginx route) per service. */
  readonly services: readonly ServiceDeclaration[];
  /** Id of the data view over the environment's log data streams. */
  readonly dataViewId: string;
  /** Prefix of every generated saved-object id. */
  readonly idPrefix: string;
  /** Every source with a data stream (`logs-<source>-<environment>`): the ingest-rate panel shows one series per stream. */
  readonly dataStreamSources: readonly string[];
}

/** KQL that matches lines at error level or worse. */
export const ERROR_LEVEL_KQL = 'log.level : ("error" or "fatal")';

/**
 * The tag pipelines/logstash/dead-letters.conf gives each event Elasticsearch refused. It
 * writes them at error level under the origin's `service.name`, into logs-deadletter-<env>.
 */
export const DEAD_LETTER_TAG = '_dead_letter';

/** KQL that matches dead letters (events the pipeline could not index). */
export const DEAD_LETTER_KQL = `tags : "${DEAD_LETTER_TAG}"`;

/**
 * KQL of a service's own errors: error level or worse, dead letters excluded (they are the
 * pipeline's errors, counted on their own panel). The error chart and the alert rule use it.
 */
export const SERVICE_ERROR_KQL = `${ERROR_LEVEL_KQL} and not ${DEAD_LETTER_KQL}`;

/** KQL special characters are escaped so a route prefix is matched literally. */
function kqlLiteral(value: string): string {
  return value.replace(/[\\():<>"*{}\s]/g, (c) => `\\${c}`);
}

/** KQL that matches requests under a route prefix, e.g. `/users` and `/users/42`. */
export function routePrefixKql(routePrefix: string): string {
  const literal = kqlLiteral(routePrefix);
  return `url.path : ${literal} or url.path : ${literal}/*`;
}

type LensColumn = Record<string, unknown>;

interface LensXyOptions {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly dataViewId: string;
  readonly query: string;
  readonly seriesType: 'bar_stacked' | 'line' | 'bar_horizontal';
  readonly x: LensColumn;
  readonly split?: LensColumn;
  readonly metrics: Readonly<Record<string, LensColumn>>;
}

const LAYER = 'layer1';

/** A single-layer Lens XY chart over the data view (form-based datasource). */
function lensXy(options: LensXyOptions): SavedObject {
  const metricIds = Object.keys(options.metrics);
  const columns: Record<string, LensColumn> = { x: options.x, ...(options.split ? { split: options.split } : {}), ...options.metrics };
  return {
    id: options.id,
    type: 'lens',
    attributes: {
      title: options.title,
      description: options.description,
      visualizationType: 'lnsXY',
      state: {
        datasourceStates: {
          formBased: {
            layers: {
              [LAYER]: {
                columnOrder: [...(options.split ? ['split'] : []), 'x', ...metricIds],
                columns,
                incompleteColumns: {},
              },
            },
          },
        },
        visualization: {
          legend: { isVisible: true, position: 'right' },
          valueLabels: 'hide',
          preferredSeriesType: options.seriesType,
          layers: [
            {
              layerId: LAYER,
              layerType: 'data',
              seriesType: options.seriesType,
              xAccessor: 'x',
              accessors: metricIds,
              ...(options.split ? { splitAccessor: 'split' } : {}),
            },
          ],
        },
        query: { query: options.query, language: 'kuery' },
        filters: [],
      },
    },
    references: [{ type: 'index-pattern', id: options.dataViewId, name: `indexpattern-datasource-layer-${LAYER}` }],
    ...versioned('lens'),
  };
}

const overTime: LensColumn = {
  label: '@timestamp',
  dataType: 'date',
  operationType: 'date_histogram',
  sourceField: '@timestamp',
  isBucketed: true,
  scale: 'interval',
  params: { interval: 'auto', includeEmptyRows: true },
};

const lineCount: LensColumn = {
  label: 'Log lines',
  dataType: 'number',
  operationType: 'count',
  sourceField: '___records___',
  isBucketed: false,
  scale: 'ratio',
};

function topValues(field: string, label: string, size: number, orderByColumn: string): LensColumn {
  return {
    label,
    dataType: 'string',
    operationType: 'terms',
    sourceField: field,
    isBucketed: true,
    scale: 'ordinal',
    params: { size, orderBy: { type: 'column', columnId: orderByColumn }, orderDirection: 'desc', otherBucket: true, missingBucket: false },
  };
}

function durationPercentile(percentile: number): LensColumn {
  return {
    label: `p${percentile} event.duration (ns)`,
    dataType: 'number',
    operationType: 'percentile',
    sourceField: 'event.duration',
    isBucketed: false,
    scale: 'ratio',
    params: { percentile },
  };
}

const durationAverage: LensColumn = {
  label: 'Average event.duration (ns)',
  dataType: 'number',
  operationType: 'average',
  sourceField: 'event.duration',
  isBucketed: false,
  scale: 'ratio',
};

/**
 * KQL matching the documents of one data stream: its backing indices are
 * `.ds-<stream>-<yyyy.MM.dd>-<generation>` (Elasticsearch docs, "Data streams": backing index
 * names), and `_index` takes wildcard queries. The documents carry no `data_stream.*` fields
 * (the pipeline writes the stream by name, pipelines/logstash/platform-logs.conf), and
 * `service.name` is not the stream either (dead letters keep their origin's).
 */
export function dataStreamKql(stream: string): string {
  return `_index : ${kqlLiteral(`.ds-${stream}-`)}*`;
}

/** Columns of the saved search: what one needs to follow a request across services. */
export const REQUEST_SEARCH_COLUMNS = [
  'service.name',
  'log.level',
  'message',
  'http.request.id',
  'http.request.method',
  'url.path',
  'http.response.status_code',
  'event.duration',
] as const;

interface Panel {
  readonly object: SavedObject;
  readonly w: number;
  readonly h: number;
}

/** The dashboard and everything it shows, dashboard last (its references come first). */
export function dashboardSavedObjects(options: DashboardSavedObjectsOptions): SavedObject[] {
  const { environment, services, dataViewId, idPrefix, dataStreamSources } = options;
  if (services.length === 0) {
    throw new ValidationError('dashboardSavedObjects', 'services must declare at least one service (the dashboard shows one series per service)');
  }
  if (dataStreamSources.length === 0) {
    throw new ValidationError('dashboardSavedObjects', 'dataStreamSources is empty; give every source with a data stream (the ingest-rate panel shows one series per stream)');
  }
  // Every service plus nginx, plus room for lines Logstash could not route ("unknown").
  const sourceCount = services.length + 2;
  const serviceNames = services.map((s) => s.name).join(', ');

  // Every panel charts the one data view; the volume, error and dead-letter panels are stacked bars over time.
  const chart = (spec: Omit<LensXyOptions, 'dataViewId'>) => lensXy({ ...spec, dataViewId });
  const barsOverTime = (spec: Omit<LensXyOptions, 'dataViewId' | 'seriesType' | 'x'>) => chart({ ...spec, seriesType: 'bar_stacked', x: overTime });
  const volume = barsOverTime({
    id: `${idPrefix}-log-volume`,
    title: `[${environment}] Log volume per service`,
    description: `Log lines per source over time (${serviceNames}, ${NGINX_LOG_SOURCE}).`,
    query: '',
    split: topValues('service.name', 'Service', sourceCount, 'lines'),
    metrics: { lines: lineCount },
  });
  const errors = barsOverTime({
    id: `${idPrefix}-errors`,
    title: `[${environment}] Errors per service`,
    description: 'Lines at error level or worse per source over time (nginx: 5xx responses); dead letters are counted apart.',
    query: SERVICE_ERROR_KQL,
    split: topValues('service.name', 'Service', sourceCount, 'errors'),
    metrics: { errors: { ...lineCount, label: 'Error lines' } },
  });
  const deadLetters = barsOverTime({
    id: `${idPrefix}-dead-letters`,
    title: `[${environment}] Dead letters per origin service`,
    description: `Events Elasticsearch refused (mapping conflict, malformed value), kept in the deadletter data stream with the reason; search ${DEAD_LETTER_KQL}.`,
    query: DEAD_LETTER_KQL,
    split: topValues('service.name', 'Origin service', sourceCount, 'deadLetters'),
    metrics: { deadLetters: { ...lineCount, label: 'Dead letters' } },
  });
  const serviceLatency = chart({
    id: `${idPrefix}-service-latency`,
    title: `[${environment}] Service latency by route`,
    description: 'Request duration by route template, from the services\' "request completed" lines.',
    query: 'http.route : * and event.duration : *',
    seriesType: 'bar_horizontal',
    x: topValues('http.route', 'Route', 20, 'p95'),
    metrics: { p95: durationPercentile(95), avg: durationAverage },
  });
  const nginxLatency = chart({
    id: `${idPrefix}-nginx-latency`,
    title: `[${environment}] Latency at nginx by route`,
    description: 'Request duration at the entry point, per catalog route prefix, from nginx access lines.',
    query: `service.name : "${NGINX_LOG_SOURCE}" and event.duration : *`,
    seriesType: 'bar_horizontal',
    x: {
      label: 'Route',
      dataType: 'string',
      operationType: 'filters',
      isBucketed: true,
      scale: 'ordinal',
      params: {
        filters: services.map((s) => ({ label: s.routePrefix, input: { query: routePrefixKql(s.routePrefix), language: 'kuery' } })),
      },
    },
    metrics: { p95: durationPercentile(95), avg: durationAverage },
  });
  const ingestRate = chart({
    id: `${idPrefix}-ingest-rate`,
    title: `[${environment}] Log ingest rate per data stream`,
    description: 'Documents indexed per minute into each log data stream (by @timestamp, the time a line was written).',
    query: '',
    seriesType: 'line',
    x: overTime,
    split: {
      label: 'Data stream',
      dataType: 'string',
      operationType: 'filters',
      isBucketed: true,
      scale: 'ordinal',
      params: {
        filters: dataStreamSources.map((source) => {
          const stream = dataStreamName(source, environment);
          return { label: stream, input: { query: dataStreamKql(stream), language: 'kuery' } };
        }),
      },
    },
    // Lens' "normalize by unit": a per-minute rate whatever interval the histogram picks.
    metrics: { rate: { ...lineCount, label: 'Documents per minute', timeScale: 'm' } },
  });
  const requestSearch: SavedObject = {
    id: `${idPrefix}-requests-by-id`,
    type: 'search',
    attributes: {
      title: `[${environment}] Request lines by request id`,
      description: 'Every line of one request across nginx and the services: replace * with the x-request-id value.',
      columns: [...REQUEST_SEARCH_COLUMNS],
      sort: [['@timestamp', 'asc']],
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({
          query: { query: 'http.request.id : *', language: 'kuery' },
          filter: [],
          indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index',
        }),
      },
    },
    references: [{ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: dataViewId }],
    ...versioned('search'),
  };

  const panels: Panel[] = [
    { object: volume, w: 24, h: 15 },
    { object: errors, w: 24, h: 15 },
    { object: serviceLatency, w: 24, h: 15 },
    { object: nginxLatency, w: 24, h: 15 },
    { object: deadLetters, w: 24, h: 15 },
    { object: ingestRate, w: 24, h: 15 },
    { object: requestSearch, w: 48, h: 20 },
  ];
  let x = 0;
  let y = 0;
  const panelsJson = panels.map((panel, index) => {
    if (x + panel.w > 48) {
      x = 0;
      y += 15;
    }
    const id = `p${index + 1}`;
    const entry = {
      type: panel.object.type,
      gridData: { x, y, w: panel.w, h: panel.h, i: id },
      panelIndex: id,
      embeddableConfig: {},
      panelRefName: `panel_${id}`,
    };
    x += panel.w;
    return entry;
  });
  const dashboard: SavedObject = {
    id: `${idPrefix}-dashboard`,
    type: 'dashboard',
    attributes: {
      title: `[${environment}] Platform logs`,
      description: `Log volume, errors and latency of ${serviceNames} and nginx; follow one request by its id.`,
      panelsJSON: JSON.stringify(panelsJson),
      optionsJSON: JSON.stringify({ useMargins: true, syncColors: true, hidePanelTitles: false }),
      timeRestore: true,
      timeFrom: 'now-24h',
      timeTo: 'now',
      refreshInterval: { pause: false, value: 60_000 },
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }) },
    },
    references: panels.map((panel, index) => ({
      name: `p${index + 1}:panel_p${index + 1}`,
      type: panel.object.type as SavedObjectReference['type'],
      id: panel.object.id,
    })),
    ...versioned('dashboard'),
  };
  return [...panels.map((p) => p.object), dashboard];
}

/** Saved objects as the NDJSON the import API takes (one object per line). */
export function toNdjson(objects: readonly SavedObject[]): string {
  return objects.map((o) => JSON.stringify(o)).join('\n') + '\n';
}
