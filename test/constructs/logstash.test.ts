import { describe, expect, it } from 'vitest';
import { LOGSTASH_API_PORT, LOGSTASH_DATA_DIR, LOGSTASH_ENV, LOGSTASH_SETTINGS_ENV, logstashFiles } from '../../pipelines/index.js';
import { LOGSTASH_API_USERNAME } from '../../constructs/logstash.js';
import { asUploaded, containerNamed, envOf, isReferenceTo, synthElk, uploadOf } from '../support/elk-harness.js';

describe('Logstash', () => {
  const { synthesized, logstash } = synthElk();
  const container = containerNamed(synthesized, 'elk-dev-logstash');
  const env = envOf(container);

  it('uploads every settings and pipeline file from pipelines/ with its exact content', () => {
    const files = logstashFiles();
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      expect(asUploaded(uploadOf(container, file.path).content)).toBe(file.content);
    }
  });

  it('sets every environment variable the pipeline refers to', () => {
    for (const name of Object.values(LOGSTASH_ENV)) {
      expect(env.get(name), name).toBeTruthy();
    }
    const pipeline = logstashFiles().map((f) => f.content).join('\n');
    for (const [, name] of pipeline.matchAll(/\$\{([A-Z_]+)\}/g)) {
      if (name === 'VAR') continue; // the file's own comment mentions ${VAR}
      expect(env.has(name!), `${name} is referenced but not set`).toBe(true);
    }
  });

  it('gives its monitoring API a basic-auth user and a generated password, which its own healthcheck uses', () => {
    expect(env.get(LOGSTASH_SETTINGS_ENV.apiUsername)).toBe(LOGSTASH_API_USERNAME);
    expect(isReferenceTo(env.get(LOGSTASH_SETTINGS_ENV.apiPassword)!, 'random_password', 'result')).toBe(true);
    expect(logstash.apiCredentials.username).toBe(LOGSTASH_API_USERNAME);
    const command = container.healthcheck!.test.join(' ');
    expect(command).toContain(`--user "$${LOGSTASH_SETTINGS_ENV.apiUsername}:$${LOGSTASH_SETTINGS_ENV.apiPassword}" http://127.0.0.1:${LOGSTASH_API_PORT}/_node/pipelines`);
  });

  it('writes to Elasticsearch as the writer user, verifying the platform CA', () => {
    expect(env.get(LOGSTASH_ENV.elasticsearchHosts)).toBe('https://elasticsearch:9200');
    expect(env.get(LOGSTASH_ENV.writerUsername)).toBe('platform_logstash');
    expect(isReferenceTo(env.get(LOGSTASH_ENV.writerPassword)!, 'random_password', 'result')).toBe(true);
    const ca = uploadOf(container, env.get(LOGSTASH_ENV.elasticsearchCaPath)!);
    expect(isReferenceTo(ca.content, 'tls_self_signed_cert', 'cert_pem')).toBe(true);
  });

  it('presents a certificate from the platform CA on the Beats input, with a PKCS#8 key', () => {
    const cert = uploadOf(container, env.get(LOGSTASH_ENV.beatsCertificatePath)!);
    expect(isReferenceTo(cert.content, 'tls_locally_signed_cert', 'cert_pem')).toBe(true);
    const key = uploadOf(container, env.get(LOGSTASH_ENV.beatsKeyPath)!);
    expect(isReferenceTo(key.content, 'tls_private_key', 'private_key_pem_pkcs8')).toBe(true);
    expect(key.permissions).toBe('0640');
    expect(logstash.beatsHosts).toEqual(['logstash:5044']);
  });

  it('keeps the persistent queue and dead-letter queue on a named volume', () => {
    expect(container.volumes).toEqual([{ volume_name: expect.stringMatching(/^\$\{docker_volume\./), container_path: LOGSTASH_DATA_DIR }]);
    const settings = asUploaded(uploadOf(container, '/usr/share/logstash/config/logstash.yml').content);
    expect(settings).toMatch(/^queue\.type: persisted$/m);
    expect(settings).toMatch(/^dead_letter_queue\.enable: true$/m);
  });

  it('sizes the heap from config with the memory limit at twice the heap', () => {
    expect(env.get('LS_JAVA_OPTS')).toBe('-Xms512m -Xmx512m');
    expect(container.memory).toBe(1024);
    const staging = containerNamed(synthElk({ environment: 'staging' }).synthesized, 'elk-staging-logstash');
    expect(envOf(staging).get('LS_JAVA_OPTS')).toBe('-Xms1024m -Xmx1024m');
    expect(staging.memory).toBe(2048);
    expect(envOf(staging).get(LOGSTASH_ENV.elasticsearchHosts)!.split(' ')).toHaveLength(3);
  });

  it('is healthy only when every pipeline is loaded and its writer may create documents over verified TLS; not published', () => {
    const command = container.healthcheck!.test.join(' ');
    expect(command).toContain(`http://127.0.0.1:${LOGSTASH_API_PORT}/_node/pipelines`);
    expect(command).toContain(`grep -q '"platform-logs"'`);
    expect(command).toContain(`grep -q '"dead-letters"'`);
    // The output's own hop: the writer's credentials and CA file, against the cluster, for the environment's streams.
    expect(command).toMatch(/curl [^\n]*--fail --cacert "\$ELASTICSEARCH_CA_PATH" --user "\$LOGSTASH_WRITER_USERNAME:\$LOGSTASH_WRITER_PASSWORD"[^\n]*https:\/\/elasticsearch:9200\/_security\/user\/_has_privileges/);
    expect(command).toContain('"names":["logs-*-dev"],"privileges":["create_doc"]');
    expect(command).toContain('"has_all_requested":true');
    expect(command).toContain("logstash -> elasticsearch:");
    expect(container.ports ?? []).toEqual([]);
    // No depends_on: it runs in the ingest stack, after the platform and elastic stacks.
    expect(container.depends_on ?? []).toEqual([]);
  });

  it('refuses files without a pipelines.yml, and a heap out of range, naming the setting', () => {
    const withoutPipelines = logstashFiles().filter((f) => !f.path.endsWith('/pipelines.yml'));
    expect(() => synthElk({ logstash: { files: withoutPipelines } })).toThrow(/\/logstash: files has no .*pipelines\.yml/);
    expect(() => synthElk({ logstash: { heapMb: 64 } })).toThrow(/\/logstash: heapMb must be a whole number of MiB from 256 to 8192 \(got 64\)/);
  });
});
