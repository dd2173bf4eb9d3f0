import { describe, expect, it } from 'vitest';
import { Token } from 'cdktf';
import { terraformLiteral } from '../../constructs/private/terraform-literal.js';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrapOnceCommand, CLUSTER_FORMED_MARKER, ELASTICSEARCH_CA_PATH } from '../../constructs/elasticsearch.js';
import { ValidationError } from '../../constructs/private/validation.js';
import { containerNamed, envOf, isReferenceTo, resourcesOf, synthElk, uploadOf, type SynthContainer } from '../support/elk-harness.js';

const CONFIG_DIR = '/usr/share/elasticsearch/config';

interface SynthCertRequest {
  subject: { common_name: string }[];
  dns_names: string[];
  ip_addresses?: string[];
}

function esContainers(synthesized: Parameters<typeof resourcesOf>[0]): SynthContainer[] {
  return Object.values(resourcesOf<SynthContainer>(synthesized, 'docker_container')).filter((c) => /-elasticsearch(-\d)?$/.test(c.name));
}

describe('Elasticsearch, single node (dev)', () => {
  const { synthesized, elasticsearch } = synthElk();
  const node = containerNamed(synthesized, 'elk-dev-elasticsearch');
  const env = envOf(node);

  it('declares exactly one node with single-node discovery and no cluster bootstrap settings', () => {
    expect(esContainers(synthesized)).toHaveLength(1);
    expect(env.get('discovery.type')).toBe('single-node');
    expect(env.has('discovery.seed_hosts')).toBe(false);
    expect(env.has('cluster.initial_master_nodes')).toBe(false);
    expect(env.get('node.name')).toBe('elasticsearch');
    expect(elasticsearch.internalUrl).toBe('https://elasticsearch:9200');
    expect(elasticsearch.internalUrls).toEqual(['https://elasticsearch:9200']);
  });

  it('sizes the heap from config, the memory limit at twice the heap, and locks memory', () => {
    expect(env.get('ES_JAVA_OPTS')).toBe('-Xms1024m -Xmx1024m');
    expect(node.memory).toBe(2048);
    expect(env.get('bootstrap.memory_lock')).toBe('true');
    expect(node.ulimit).toEqual(
      expect.arrayContaining([
        { name: 'memlock', soft: -1, hard: -1 },
        { name: 'nofile', soft: 65535, hard: 65535 },
      ]),
    );
  });

  it('keeps its data on a named volume', () => {
    const volumes = resourcesOf<{ name: string }>(synthesized, 'docker_volume');
    const data = node.volumes?.find((v) => v.container_path === '/usr/share/elasticsearch/data');
    expect(data).toBeDefined();
    const volume = Object.entries(volumes).find(([logicalId]) => data!.volume_name === `\${docker_volume.${logicalId}.name}`);
    expect(volume?.[1].name).toBe('elk-dev-elasticsearch-data');
  });

  it('turns security and TLS on for HTTP and transport, with the node certificate and the CA uploaded', () => {
    expect(env.get('xpack.security.enabled')).toBe('true');
    for (const layer of ['http', 'transport']) {
      expect(env.get(`xpack.security.${layer}.ssl.enabled`)).toBe('true');
      expect(env.get(`xpack.security.${layer}.ssl.certificate_authorities`)).toBe(ELASTICSEARCH_CA_PATH);
      const certPath = env.get(`xpack.security.${layer}.ssl.certificate`)!;
      const keyPath = env.get(`xpack.security.${layer}.ssl.key`)!;
      expect(isReferenceTo(uploadOf(node, certPath).content, 'tls_locally_signed_cert', 'cert_pem')).toBe(true);
      const key = uploadOf(node, keyPath);
      expect(isReferenceTo(key.content, 'tls_private_key', 'private_key_pem_pkcs8')).toBe(true);
      expect(key.permissions).toBe('0640');
    }
    expect(env.get('xpack.security.transport.ssl.verification_mode')).toBe('full');
    expect(isReferenceTo(uploadOf(node, ELASTICSEARCH_CA_PATH).content, 'tls_self_signed_cert', 'cert_pem')).toBe(true);
  });

  it('uploads the file realm (users with bcrypt hashes, users_roles, roles.yml) at creation', () => {
    const users = uploadOf(node, `${CONFIG_DIR}/users`).content;
    for (const line of users.trim().split('\n')) {
      expect(line).toMatch(/^[a-z_]+:\$\{random_password\.[A-Za-z0-9_-]+\.bcrypt_hash\}$/);
    }
    expect(uploadOf(node, `${CONFIG_DIR}/users_roles`).content).toContain('kibana_system:platform_kibana');
    expect(uploadOf(node, `${CONFIG_DIR}/roles.yml`).content).toContain('platform_logs_writer:');
  });

  it('checks health as the healthcheck user, verifying the CA, with the password read from the environment at run time', () => {
    const command = node.healthcheck!.test.join(' ');
    expect(node.healthcheck!.test[0]).toBe('CMD-SHELL');
    expect(command).toContain(`--cacert ${ELASTICSEARCH_CA_PATH}`);
    expect(command).toContain('https://localhost:9200/_cluster/health');
    expect(command).toContain('"platform_healthcheck:$ES_HEALTHCHECK_PASSWORD"');
    expect(command).not.toMatch(/--insecure|(^|\s)-k(\s|$)/);
    expect(isReferenceTo(env.get('ES_HEALTHCHECK_PASSWORD')!, 'random_password', 'result')).toBe(true);
    expect(isReferenceTo(env.get('ELASTIC_PASSWORD')!, 'random_password', 'result')).toBe(true);
    expect(node.wait).toBe(true);
  });

  it('publishes the HTTP port on the bind address only', () => {
    expect(node.ports).toEqual([{ internal: 9200, external: 9200, ip: '127.0.0.1' }]);
    expect(elasticsearch.publishedUrl).toBe('https://127.0.0.1:9200');
  });

  it('asks the CA for a certificate valid for its aliases, localhost and 127.0.0.1', () => {
    const requests = Object.values(resourcesOf<SynthCertRequest>(synthesized, 'tls_cert_request'));
    const request = requests.find((r) => r.subject[0]?.common_name === 'elasticsearch');
    expect(request?.dns_names).toEqual(expect.arrayContaining(['elasticsearch', 'elk-dev-elasticsearch', 'localhost']));
    expect(request?.ip_addresses).toContain('127.0.0.1');
  });
});

describe('Elasticsearch, three nodes (staging)', () => {
  const { synthesized, elasticsearch } = synthElk({ environment: 'staging' });
  const nodes = [1, 2, 3].map((n) => containerNamed(synthesized, `elk-staging-elasticsearch-${n}`));

  it('declares three nodes that seed each other and bootstrap the cluster from all three', () => {
    expect(esContainers(synthesized)).toHaveLength(3);
    const names = ['elasticsearch-1', 'elasticsearch-2', 'elasticsearch-3'];
    nodes.forEach((node, i) => {
      const env = envOf(node);
      expect(env.get('node.name')).toBe(names[i]);
      expect(env.has('discovery.type')).toBe(false);
      expect(env.get('discovery.seed_hosts')!.split(',').sort()).toEqual(names.filter((n) => n !== names[i]));
      // Not in the environment: the start command passes it only until the cluster has formed.
      expect(env.has('cluster.initial_master_nodes')).toBe(false);
      expect(node.command).toEqual(bootstrapOnceCommand(names));
      expect(env.get('cluster.name')).toBe('elk-staging');
      // Transport verification is full: peers must reach each other by a name in their certificates.
      expect(env.get('network.publish_host')).toBe(names[i]);
      expect(env.get('xpack.security.transport.ssl.verification_mode')).toBe('full');
      expect(env.get('ES_JAVA_OPTS')).toBe('-Xms2048m -Xmx2048m');
    });
    expect(elasticsearch.internalUrls).toEqual(names.map((n) => `https://${n}:9200`));
  });

  it('gives each node its own alias (plus the shared one), volume and certificate', () => {
    const volumes = nodes.map((n) => n.volumes?.[0]?.volume_name);
    expect(new Set(volumes).size).toBe(3);
    nodes.forEach((node, i) => {
      expect(node.networks_advanced?.[0]?.aliases).toEqual([`elasticsearch-${i + 1}`, 'elasticsearch']);
    });
    for (const node of nodes) {
      for (const file of ['users', 'users_roles', 'roles.yml']) expect(uploadOf(node, `${CONFIG_DIR}/${file}`).content).not.toBe('');
    }
    const certs = nodes.map((n) => uploadOf(n, '/usr/share/elasticsearch/config/certs/node.crt').content);
    expect(new Set(certs).size).toBe(3);
    const requests = Object.values(resourcesOf<SynthCertRequest>(synthesized, 'tls_cert_request'));
    for (const i of [1, 2, 3]) {
      const request = requests.find((r) => r.subject[0]?.common_name === `elasticsearch-${i}`);
      expect(request?.dns_names).toEqual(expect.arrayContaining([`elasticsearch-${i}`, 'elasticsearch', 'localhost']));
    }
  });

  it('bootstraps with cluster.initial_master_nodes only until the healthcheck has seen the cluster formed (real bash)', () => {
    const work = mkdtempSync(join(tmpdir(), 'es-bootstrap-'));
    try {
      // The image's entrypoint stand-in prints what Elasticsearch would get: its arguments and the bootstrap setting.
      const entrypoint = join(work, 'docker-entrypoint.sh');
      writeFileSync(entrypoint, '#!/bin/bash\necho "args=$* initial=$(printenv cluster.initial_master_nodes)"\n', { mode: 0o755 });
      const marker = join(work, 'data', '.platform-cluster-formed');
      const [shell, flag, script] = nodes[0]!.command!;
      const local = script!.split(CLUSTER_FORMED_MARKER).join(marker).split('/usr/local/bin/docker-entrypoint.sh').join(entrypoint);
      const start = () => execFileSync(shell!, [flag!, local], { encoding: 'utf8' }).trim();
      expect(start()).toBe('args=eswrapper initial=elasticsearch-1,elasticsearch-2,elasticsearch-3');

      const healthcheck = nodes[0]!.healthcheck!.test.at(-1)!;
      expect(healthcheck).toMatch(new RegExp(`_cluster/health\\?wait_for_status=yellow[^&]*&timeout=2s" && touch ${CLUSTER_FORMED_MARKER}$`));
      mkdirSync(join(work, 'data'));
      writeFileSync(marker, '');
      expect(start()).toBe('args=eswrapper initial=');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('publishes only the first node, and no node waits for another (they must start together to elect a master)', () => {
    expect(nodes[0]!.ports).toEqual([{ internal: 9200, external: 9201, ip: '127.0.0.1' }]);
    expect(nodes[1]!.ports ?? []).toEqual([]);
    expect(nodes[2]!.ports ?? []).toEqual([]);
    // Only the snapshot volume's one-shot owner comes first.
    const [owner] = Object.entries(resourcesOf<SynthContainer>(synthesized, 'docker_container')).find(([, c]) => c.name === 'elk-staging-snapshots-owner')!;
    for (const node of nodes) expect(node.depends_on).toEqual([`docker_container.${owner}`]);
  });

  it('makes Kibana wait for every node (Logstash runs in the ingest stack, deployed after the cluster\'s)', () => {
    expect(containerNamed(synthesized, 'elk-staging-kibana').depends_on).toHaveLength(3);
    expect(containerNamed(synthesized, 'elk-staging-logstash').depends_on ?? []).toEqual([]);
  });
});

describe('terraformLiteral', () => {
  it('escapes placeholders meant for the program in the container, and refuses text with Terraform tokens', () => {
    expect(terraformLiteral('a ${X} %{ if } b')).toBe('a $${X} %%{ if } b');
    expect(() => terraformLiteral(`user ${Token.asString({ ref: 1 })}`)).toThrow(/literal text only/);
  });
});

describe('Elasticsearch validation', () => {
  it('refuses a node count other than 1 or 3, naming the setting', () => {
    expect(() => synthElk({ elasticsearch: { nodes: 2 } })).toThrow(ValidationError);
    expect(() => synthElk({ elasticsearch: { nodes: 2 } })).toThrow(/\/elasticsearch: nodes must be 1 .* or 3 .*\(got 2\)/);
  });

  it('refuses a heap outside what the JVM settings allow, naming the setting', () => {
    expect(() => synthElk({ elasticsearch: { heapMb: 100 } })).toThrow(/\/elasticsearch: heapMb must be a whole number of MiB from 256 to 31744 \(got 100\)/);
  });

  // Privileged ports are the settings schema's rule (test/stacks/config-validation.test.ts).
  it('refuses a published port that is no TCP port', () => {
    expect(() => synthElk({ elasticsearch: { publishedPort: 0 } })).toThrow(/\/elasticsearch: publishedPort must be a whole number from 1 to 65535 \(got 0\)/);
    expect(() => synthElk({ elasticsearch: { publishedPort: 70000 } })).toThrow(/publishedPort .*\(got 70000\)/);
  });
});
