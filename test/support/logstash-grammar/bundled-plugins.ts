import type { SectionType } from './ast.js';

/**
 * Plugins in Logstash's default distribution (the `default-plugins: true` entries of
 * logstash's rakelib/plugins-metadata.json), by kind. A pipeline that names anything
 * else would need a `logstash-plugin install` the official image does not do.
 * Integration packages (kafka, jdbc, aws, ...) are left out on purpose: the platform
 * needs none of them, and listing them here would only widen what passes.
 */
export const BUNDLED_PLUGINS: Readonly<Record<SectionType | 'codec', ReadonlySet<string>>> = {
  input: new Set([
    'azure_event_hubs', 'beats', 'couchdb_changes', 'dead_letter_queue', 'elasticsearch', 'exec', 'file',
    'ganglia', 'gelf', 'generator', 'graphite', 'heartbeat', 'http', 'http_poller', 'jms', 'pipe', 'redis',
    'snmp', 'snmptrap', 'stdin', 'syslog', 'tcp', 'twitter', 'udp', 'unix', 'elastic_serverless_forwarder',
  ]),
  filter: new Set([
    'aggregate', 'anonymize', 'cidr', 'clone', 'csv', 'date', 'de_dot', 'dissect', 'dns', 'drop',
    'elastic_integration', 'elasticsearch', 'fingerprint', 'geoip', 'grok', 'http', 'json', 'kv', 'memcached',
    'metrics', 'mutate', 'prune', 'ruby', 'sleep', 'split', 'syslog_pri', 'throttle', 'translate', 'truncate',
    'urldecode', 'useragent', 'uuid', 'xml',
  ]),
  output: new Set([
    'csv', 'elasticsearch', 'email', 'file', 'graphite', 'http', 'lumberjack', 'nagios', 'null', 'pipe',
    'redis', 'stdout', 'tcp', 'udp', 'webhdfs',
  ]),
  codec: new Set([
    'avro', 'cef', 'collectd', 'dots', 'edn', 'edn_lines', 'es_bulk', 'fluent', 'graphite', 'json', 'json_lines',
    'line', 'msgpack', 'multiline', 'netflow', 'plain', 'rubydebug',
  ]),
};
