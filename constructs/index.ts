/**
 * The construct library's public surface. It knows nothing of the app: no environment
 * settings, no stacks; every value comes in as a documented prop. Helpers the constructs
 * share live in `./private/` and are not part of it (only the types and the error that
 * appear in props and messages are re-exported here).
 */
export * from './platform-context.js';
export * from './images.js';
export * from './network.js';
export * from './postgres.js';
export * from './postgres-backup.js';
export * from './redis.js';
export * from './fastify-service.js';
export * from './nginx.js';
export * from './nginx-config.js';
export * from './elasticsearch.js';
export * from './kibana.js';
export * from './logstash.js';
export * from './filebeat.js';
export * from './metricbeat.js';
export * from './apm-server.js';
export * from './security/index.js';
export * from './elastic/index.js';
export { ValidationError, type WholeNumberRule } from './private/validation.js';
export type { RealmCredentials, TlsPaths } from './private/elastic-container.js';
