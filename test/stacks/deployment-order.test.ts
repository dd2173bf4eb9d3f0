import { describe, expect, it } from 'vitest';
import { DATA_STREAMS_LABEL } from '../../constructs/logstash.js';
import { readLogstashSource } from '../../pipelines/logstash/logstash-files.js';
import { DEAD_LETTER_LOG_SOURCE, NGINX_LOG_SOURCE, SERVICES, UNROUTED_LOG_SOURCE, dataStreamName } from '@platform/contract';
import { ENVIRONMENTS } from '../../stacks/config/index.js';
import { containerNamed, synthDeployment } from '../support/platform-harness.js';

describe.each(Object.keys(ENVIRONMENTS))('%s: what starts before what', (environment) => {
  const { stacks, platform, elastic, ingest } = synthDeployment(environment);
  const streams = (elastic.resource.elasticstack_elasticsearch_data_stream ?? {}) as Record<string, { name: string; depends_on?: string[] }>;
  const streamIds = Object.keys(streams);

  it('deploys platform, then elastic, then ingest (destroy runs in reverse: shippers stop before streams, templates and policy go)', () => {
    expect(stacks.elastic.dependencies).toContain(stacks.platform);
    expect(stacks.ingest.dependencies).toEqual(expect.arrayContaining([stacks.platform, stacks.elastic]));
    expect(Object.values(ingest.resource.docker_container ?? {}).length).toBeGreaterThan(0);
    expect(Object.keys(elastic.resource).filter((t) => t === 'docker_container')).toEqual([]);
  });

  it('declares every data stream the pipelines can write to: each catalog service, nginx, unknown and deadletter', () => {
    const routed = [...SERVICES.map((s) => s.name), NGINX_LOG_SOURCE];
    // The pipeline's only literal source besides Filebeat's stamps, and the dead-letter stream:
    // the .conf files spell the contract's names, and these lines fail when the two disagree.
    expect(readLogstashSource('platform-logs.conf')).toContain(`"[@metadata][source]" => "${UNROUTED_LOG_SOURCE}"`);
    expect(readLogstashSource('dead-letters.conf')).toContain(`index => "${dataStreamName(DEAD_LETTER_LOG_SOURCE, '${PLATFORM_ENVIRONMENT}')}"`);
    const expected = [...routed, UNROUTED_LOG_SOURCE, DEAD_LETTER_LOG_SOURCE].map((source) => dataStreamName(source, environment));
    expect(Object.values(streams).map((s) => s.name).sort()).toEqual(expected.sort());
  });

  it('creates each data stream after its index template, so destroy removes streams before the template and the ILM policy', () => {
    const template = Object.keys(elastic.resource.elasticstack_elasticsearch_index_template ?? {});
    expect(template).toHaveLength(1);
    for (const stream of Object.values(streams)) expect(stream.depends_on).toContain(`elasticstack_elasticsearch_index_template.${template[0]}`);
  });

  it('starts the Postgres backup container only after Postgres is healthy (depends_on, and Postgres waits for its healthcheck)', () => {
    const postgres = containerNamed({ tf: platform } as never, `elk-${environment}-postgres`);
    const backup = containerNamed({ tf: platform } as never, `elk-${environment}-postgres-backup`).container;
    expect(backup.depends_on).toContain(`docker_container.${postgres.id}`);
    expect(postgres.container.wait).toBe(true);
  });

  it('starts Logstash only after every data stream exists (its label references each one)', () => {
    const logstash = containerNamed({ tf: ingest } as never, `elk-${environment}-logstash`).container as { labels?: { label: string; value: string }[] };
    const label = logstash.labels?.find((l) => l.label === DATA_STREAMS_LABEL)?.value ?? '';
    for (const id of streamIds) expect(label).toContain(`elasticstack_elasticsearch_data_stream.${id}.name`);
  });
});
