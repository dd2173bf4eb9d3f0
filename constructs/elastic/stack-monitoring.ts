/**
 * Where Stack Monitoring data lives, named once: the cluster-health rule reads it and the
 * provisioner (whose API key the rule runs with) may read it. No imports: the security roles
 * read it too.
 */

/**
 * Index patterns holding Elasticsearch `cluster_stats` documents: Metricbeat's xpack-mode
 * `elasticsearch` module writes the `.monitoring-es-8-mb` data stream
 * (elastic/beats metricbeat/helper/elastic/elastic.go, MakeXPackMonitoringIndexName), the Elastic
 * Agent integration `metrics-elasticsearch.stack_monitoring.cluster_stats-*`. Both carry the
 * cluster's health as `elasticsearch.cluster.stats.status` (metricbeat/module/elasticsearch/
 * cluster_stats/data.go: `status` under the metricset's fields). The dot-prefixed pattern
 * also matches the hidden monitoring data stream.
 */
export const CLUSTER_STATS_INDEX_PATTERNS = ['.monitoring-es-*', 'metrics-elasticsearch.stack_monitoring.cluster_stats-*'] as const;

/** The field with the cluster's health (`green`, `yellow`, `red`) in those documents. */
export const CLUSTER_STATUS_FIELD = 'elasticsearch.cluster.stats.status';
