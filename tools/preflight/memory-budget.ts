import { SERVICES, type ServiceDeclaration } from '@platform/contract';
import { replicasOf, type EnvironmentConfig } from '../../stacks/config/index.js';

/**
 * Memory the environment's containers may use at once (MiB), by component.
 * The Elastic Stack parts follow the config (heap settings; the container limit
 * is twice the heap, as the schema documents); the small containers get their
 * constructs' default limits, which are not settings. test/preflight-memory.test.ts
 * holds the total to the limits in the synthesized platform stack.
 */
export const SMALL_CONTAINER_ALLOWANCE_MB = {
  postgres: 512,
  redis: 256,
  nginx: 128,
  filebeat: 256,
  /** Each replica of each Fastify service. */
  serviceReplica: 256,
} as const;

export interface MemoryShare {
  readonly component: string;
  readonly mb: number;
}

export function memoryBudget(config: EnvironmentConfig, services: readonly ServiceDeclaration[] = SERVICES): MemoryShare[] {
  const shares: MemoryShare[] = [
    { component: `elasticsearch (${config.elasticsearch.nodes} x 2 x heapMb ${config.elasticsearch.heapMb})`, mb: config.elasticsearch.nodes * 2 * config.elasticsearch.heapMb },
    { component: `logstash (2 x heapMb ${config.logstash.heapMb})`, mb: 2 * config.logstash.heapMb },
    { component: 'kibana (memoryMb)', mb: config.kibana.memoryMb },
    { component: 'postgres', mb: SMALL_CONTAINER_ALLOWANCE_MB.postgres },
    { component: 'redis', mb: SMALL_CONTAINER_ALLOWANCE_MB.redis },
    { component: 'nginx', mb: SMALL_CONTAINER_ALLOWANCE_MB.nginx },
    { component: 'filebeat', mb: SMALL_CONTAINER_ALLOWANCE_MB.filebeat },
  ];
  for (const service of services) {
    const replicas = replicasOf(config, service.name);
    shares.push({ component: `${service.name} (${replicas} replica${replicas === 1 ? '' : 's'})`, mb: replicas * SMALL_CONTAINER_ALLOWANCE_MB.serviceReplica });
  }
  return shares;
}

export function totalMb(shares: readonly MemoryShare[]): number {
  return shares.reduce((sum, share) => sum + share.mb, 0);
}
