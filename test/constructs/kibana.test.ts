import { Container } from '@cdktf/provider-docker/lib/container/index.js';
import { TerraformStack, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Kibana, PlatformPki } from '../../constructs/index.js';
import { asUploaded, containerNamed, envOf, isReferenceTo, resourcesOf, synthElk, uploadOf } from '../support/elk-harness.js';

const KIBANA_YML = '/usr/share/kibana/config/kibana.yml';

describe('Kibana', () => {
  const { synthesized } = synthElk();
  const kibana = containerNamed(synthesized, 'elk-dev-kibana');
  const env = envOf(kibana);
  const kibanaYmlInTerraform = uploadOf(kibana, KIBANA_YML).content;
  const settings = parse(asUploaded(kibanaYmlInTerraform)) as Record<string, unknown>;

  /** The value Kibana resolves a `${VAR}` setting to: the container's environment variable. */
  const resolved = (setting: string): string => {
    const match = /^\$\{([A-Z_]+)\}$/.exec(String(settings[setting]));
    if (!match) throw new Error(`${setting} is not an environment reference: ${String(settings[setting])}`);
    const value = env.get(match[1]!);
    if (value === undefined) throw new Error(`${setting} refers to ${match[1]}, which the container does not set`);
    return value;
  };

  it('connects to Elasticsearch over HTTPS as its own system user, verifying the platform CA', () => {
    expect(settings['elasticsearch.hosts']).toEqual(['https://elasticsearch:9200']);
    expect(resolved('elasticsearch.username')).toBe('platform_kibana');
    expect(isReferenceTo(resolved('elasticsearch.password'), 'random_password', 'result')).toBe(true);
    expect(settings['elasticsearch.ssl.verificationMode']).toBe('full');
    const [caPath] = settings['elasticsearch.ssl.certificateAuthorities'] as string[];
    expect(isReferenceTo(uploadOf(kibana, caPath!).content, 'tls_self_signed_cert', 'cert_pem')).toBe(true);
  });

  it('leaves Stack Monitoring collection to Metricbeat and reads only this cluster\'s monitoring data', () => {
    expect(settings['monitoring.kibana.collection.enabled']).toBe(false);
    expect(settings['monitoring.ui.ccs.enabled']).toBe(false);
  });

  it('serves HTTPS with its own certificate from the platform CA', () => {
    expect(settings['server.ssl.enabled']).toBe(true);
    expect(isReferenceTo(uploadOf(kibana, settings['server.ssl.certificate'] as string).content, 'tls_locally_signed_cert', 'cert_pem')).toBe(true);
    const key = uploadOf(kibana, settings['server.ssl.key'] as string);
    expect(isReferenceTo(key.content, 'tls_private_key', 'private_key_pem_pkcs8')).toBe(true);
    expect(key.permissions).toBe('0640');
    expect(settings['server.publicBaseUrl']).toBe('https://127.0.0.1:5601');
  });

  it('gets three distinct generated encryption keys of at least 32 characters', () => {
    const passwords = resourcesOf<{ length: number; special?: boolean }>(synthesized, 'random_password');
    const keys = ['xpack.encryptedSavedObjects.encryptionKey', 'xpack.reporting.encryptionKey', 'xpack.security.encryptionKey'].map(resolved);
    expect(new Set(keys).size).toBe(3);
    for (const key of keys) {
      expect(isReferenceTo(key, 'random_password', 'result')).toBe(true);
      const logicalId = /^\$\{random_password\.([^.]+)\.result\}$/.exec(key)![1]!;
      expect(passwords[logicalId]!.length).toBeGreaterThanOrEqual(32);
    }
  });

  it('keeps secrets out of the uploaded kibana.yml: Terraform-escaped environment references only', () => {
    expect(kibanaYmlInTerraform).toContain('$${KIBANA_ELASTICSEARCH_PASSWORD}');
    // Nothing in the file is a Terraform interpolation (that would put a value into it).
    expect(kibanaYmlInTerraform.replace(/\$\$\{/g, '')).not.toContain('${');
  });

  it('checks health on /api/status over verified TLS and starts after Elasticsearch', () => {
    const command = kibana.healthcheck!.test.join(' ');
    expect(command).toMatch(/--cacert \S+ca\.crt https:\/\/localhost:5601\/api\/status/);
    expect(command).toContain('--fail');
    // Unauthenticated callers get the overall level only; allowAnonymous would give them the full status.
    expect(settings['status.allowAnonymous']).toBeUndefined();
    expect(kibana.depends_on).toEqual([expect.stringMatching(/^docker_container\.elasticsearch/)]);
    expect(kibana.wait).toBe(true);
  });

  it('is published on the bind address with the configured memory limit', () => {
    expect(kibana.ports).toEqual([{ internal: 5601, external: 5601, ip: '127.0.0.1' }]);
    expect(kibana.memory).toBe(1024);
  });

  it('follows the staging settings (port, memory)', () => {
    const staging = containerNamed(synthElk({ environment: 'staging' }).synthesized, 'elk-staging-kibana');
    expect(staging.ports).toEqual([{ internal: 5601, external: 5602, ip: '127.0.0.1' }]);
    expect(staging.memory).toBe(2048);
  });

  it('refuses a memory limit Kibana cannot run in, naming the setting', () => {
    expect(() => synthElk({ kibana: { memoryMb: 128 } })).toThrow(/\/kibana: memoryMb must be a whole number of MiB from 512 to 8192 \(got 128\)/);
  });
});

describe('Kibana takes a cluster by what it offers', () => {
  it('connects to any ElasticsearchCluster: its node URLs in kibana.yml, its containers before Kibana', () => {
    const stack = new TerraformStack(Testing.app(), 'stand-in');
    const context = { namePrefix: 'elk-dev', networkName: 'net' };
    // A stand-in cluster: two URLs and one container, no Elasticsearch construct.
    const node = new Container(stack, 'node', { name: 'stand-in-node', image: 'none' });
    new Kibana(stack, 'kibana', {
      context,
      elasticsearch: { internalUrls: ['https://es-a:9200', 'https://es-b:9200'], containers: [node] },
      certificateAuthority: new PlatformPki(stack, 'pki', { context }),
      kibanaSystemUser: { username: 'platform_kibana', password: 'unused' },
    });
    const containers = JSON.parse(Testing.synth(stack)).resource.docker_container as Record<string, { name: string; depends_on?: string[]; upload?: { file: string; content: string }[] }>;
    const kibana = Object.values(containers).find((c) => c.name === 'elk-dev-kibana')!;
    expect(kibana.depends_on).toContain('docker_container.node');
    const yml = parse(asUploaded(kibana.upload!.find((u) => u.file === KIBANA_YML)!.content)) as Record<string, unknown>;
    expect(yml['elasticsearch.hosts']).toEqual(['https://es-a:9200', 'https://es-b:9200']);
  });
});
