import type { EnvironmentSettings } from './schema.js';

/**
 * The environments this project ships. Each only states what differs from the
 * schema's defaults. `dev` is the default environment.
 */
export const ENVIRONMENTS = {
  dev: {},
  staging: {
    elasticsearch: { nodes: 3, heapMb: 2048 },
    logstash: { heapMb: 1024 },
    kibana: { memoryMb: 2048 },
    ports: { nginx: 8081, kibana: 5602, elasticsearch: 9201 },
    replicas: { 'user-service': 2, 'order-service': 2 },
    logRetentionDays: 90,
    alerts: { errorThreshold: 25 },
  },
} satisfies Record<string, EnvironmentSettings>;

export type EnvironmentName = keyof typeof ENVIRONMENTS;
export const DEFAULT_ENVIRONMENT: EnvironmentName = 'dev';
