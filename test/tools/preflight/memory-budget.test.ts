import { describe, expect, it } from 'vitest';
import { SERVICES } from '@platform/contract';
import { ENVIRONMENTS, loadEnvironmentConfig, replicasOf } from '../../../stacks/config/index.js';
import { memoryBudget, totalMb } from '../../../tools/preflight/memory-budget.js';

// Preflight sums the limits the synthesized stacks give their containers; these hold that
// sum to what each environment's settings say should run.
describe('preflight memory need', () => {
  it.each(Object.keys(ENVIRONMENTS))('has one share per container %s runs, each a positive limit', (environment) => {
    const config = loadEnvironmentConfig(environment);
    const shares = memoryBudget(config, SERVICES);
    const replicas = SERVICES.reduce((sum, service) => sum + replicasOf(config, service.name), 0);
    // Elasticsearch nodes, Kibana, Postgres, its backup container, Redis, nginx, every service replica, Logstash, Filebeat, Metricbeat, APM Server (tracing on).
    expect(shares).toHaveLength(config.elasticsearch.nodes + 5 + replicas + 3 + (config.tracing.enabled ? 1 : 0));
    expect(new Set(shares.map((s) => s.component)).size).toBe(shares.length);
    for (const share of shares) expect(share.mb, share.component).toBeGreaterThan(0);
  });

  it('follows the heap settings: each Elasticsearch node and Logstash get twice their heap, Kibana and Metricbeat their memoryMb', () => {
    const config = loadEnvironmentConfig('dev');
    const shares = memoryBudget(config, SERVICES);
    const mbOf = (component: RegExp) => shares.filter((s) => component.test(s.component)).map((s) => s.mb);
    expect(mbOf(/elasticsearch/)).toEqual(Array(config.elasticsearch.nodes).fill(2 * config.elasticsearch.heapMb));
    expect(mbOf(/logstash$/)).toEqual([2 * config.logstash.heapMb]);
    expect(mbOf(/kibana$/)).toEqual([config.kibana.memoryMb]);
    expect(mbOf(/metricbeat$/)).toEqual([config.monitoring.memoryMb]);
    expect(mbOf(/apm-server$/)).toEqual([config.tracing.apmServerMemoryMb]);
    expect(totalMb(shares)).toBe(shares.reduce((sum, s) => sum + s.mb, 0));
  });
});
