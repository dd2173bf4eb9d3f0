/**
 * The index the error-spike rule's `.index` connector writes one document to per
 * notification (a spike and its recovery), so alert history outlives Kibana's server
 * log. A plain index, not under `logs-*`: the log templates, the data view and the
 * rule's own query stay clear of it. No imports: the security roles read it too.
 */

/** Every environment's alert-history index matches this (the provisioner's grant). */
export const ALERT_HISTORY_INDEX_PATTERN = 'platform-alerts-*';

export function alertHistoryIndexName(environment: string): string {
  return ALERT_HISTORY_INDEX_PATTERN.replace('*', environment);
}

/**
 * Mappings of the documents the rule writes. `dynamic: false`: a field added to the
 * action's document later is kept in `_source` instead of refusing the write.
 */
export const ALERT_HISTORY_MAPPINGS = {
  dynamic: false,
  properties: {
    '@timestamp': { type: 'date' },
    message: { type: 'text' },
    event: { properties: { action: { type: 'keyword' } } },
    rule: { properties: { name: { type: 'keyword' } } },
    service: { properties: { name: { type: 'keyword' } } },
    // A count on a spike, "unknown" on some recoveries (Kibana's index-threshold recovery context).
    alert: { properties: { value: { type: 'keyword' } } },
  },
} as const;
