import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing, TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { ELASTICSEARCH_SNAPSHOT_PATH, SNAPSHOT_S3_CLIENT } from '../../constructs/elasticsearch.js';
import { ElasticsearchSnapshots, cronProblem, type ElasticsearchSnapshotsProps } from '../../constructs/elastic/snapshots.js';
import { elasticObjectNames } from '../../constructs/elastic/naming.js';
import { ValidationError } from '../../constructs/private/validation.js';
import { ENVIRONMENTS, loadEnvironmentConfig, type EnvironmentSettings } from '../../stacks/config/index.js';
import { SNAPSHOT_S3_ACCESS_KEY_VARIABLE, SNAPSHOT_S3_SECRET_KEY_VARIABLE } from '../../stacks/platform-stack.js';
import { synthElasticStack } from '../support/elasticstack-schema-fixture.js';
import { containers, synthDeployment, synthPlatform, type Container } from '../support/platform-harness.js';

type OneShot = Container & {
  attach?: boolean;
  restart?: string;
  network_mode?: string;
  user?: string;
  image: string;
  command?: string[];
  lifecycle?: { postcondition?: { condition: string; error_message: string }[] };
};

const envOf = (c: Container) => new Map((c.env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
const nodesOf = (all: Record<string, Container>) => Object.values(all).filter((c) => /-elasticsearch(-\d)?$/.test(c.name));
const S3: EnvironmentSettings['snapshots'] = { s3: { bucket: 'platform-backups', basePath: 'elk/dev', endpoint: 'https://minio.internal:9000', pathStyleAccess: true } };

describe.each(Object.keys(ENVIRONMENTS))('%s: the snapshot repository volume', (environment) => {
  const platform = synthPlatform(environment);
  const all = containers(platform);
  const nodes = nodesOf(all);
  const volumes = platform.tf.resource.docker_volume as Record<string, { name: string }>;
  const [volumeId] = Object.entries(volumes).find(([, v]) => v.name === `elk-${environment}-snapshots`)!;
  const volumeRef = `\${docker_volume.${volumeId}.name}`;
  const owner = Object.values(all).find((c) => c.name === `elk-${environment}-snapshots-owner`) as OneShot;

  it('is one volume, mounted by every node at the path.repo each node sets', () => {
    expect(nodes).toHaveLength(loadEnvironmentConfig(environment).elasticsearch.nodes);
    for (const node of nodes) {
      expect(envOf(node).get('path.repo'), node.name).toBe(ELASTICSEARCH_SNAPSHOT_PATH);
      expect(node.volumes, node.name).toContainEqual({ volume_name: volumeRef, container_path: ELASTICSEARCH_SNAPSHOT_PATH });
    }
  });

  it('is handed to the nodes\' user by a one-shot container on the nodes\' image that every node starts after', () => {
    const [ownerId] = Object.entries(all).find(([, c]) => c === owner)!;
    expect(owner.image).toBe(nodes[0]!.image);
    expect(owner.user).toBe('1000:0');
    // Mounted over the image's empty, uid-1000 `data` directory: Docker copies its ownership onto the fresh volume.
    expect(owner.volumes).toEqual([{ volume_name: volumeRef, container_path: '/usr/share/elasticsearch/data' }]);
    expect(owner).toMatchObject({ attach: true, restart: 'no', network_mode: 'none', must_run: false });
    expect(owner.networks_advanced).toBeUndefined();
    expect(owner.lifecycle?.postcondition).toEqual([expect.objectContaining({ condition: '${self.exit_code == 0}' })]);
    for (const node of nodes) expect(node.depends_on, node.name).toEqual([`docker_container.${ownerId}`]);
  });

  it('fails the owner step unless the volume is uid 1000\'s and writable (real bash)', () => {
    const work = mkdtempSync(join(tmpdir(), 'snapshot-owner-'));
    try {
      const data = join(work, 'data');
      mkdirSync(data);
      const [shell, flag, script] = owner.command!;
      const run = () => spawnSync(shell!, [flag!, script!.split('/usr/share/elasticsearch/data').join(data)]).status;
      const uid = process.getuid?.();
      if (uid !== 1000) expect(run()).not.toBe(0);
      // Only root can hand a directory to uid 1000 here; elsewhere the refusal above is the check.
      if (uid === 0) {
        chownSync(data, 1000, 0);
        chmodSync(data, 0o775);
        expect(run()).toBe(0);
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('declares no S3 client, key or variable by default', () => {
    for (const node of nodes) expect([...envOf(node).keys()].filter((k) => k.startsWith('s3.client.'))).toEqual([]);
    expect(platform.json).not.toContain(SNAPSHOT_S3_ACCESS_KEY_VARIABLE);
  });
});

describe.each(Object.keys(ENVIRONMENTS))('%s: the snapshot repository and policy', (environment) => {
  const { tf } = synthElasticStack(environment);
  const names = elasticObjectNames(environment);
  const [repository] = Object.values(tf.resource.elasticstack_elasticsearch_snapshot_repository!) as Record<string, any>[];
  const [policy] = Object.values(tf.resource.elasticstack_elasticsearch_snapshot_lifecycle!) as Record<string, any>[];

  it('registers a shared-filesystem repository at the nodes\' path.repo, verified on every node', () => {
    expect(repository).toMatchObject({ name: names.snapshotRepository, verify: true, fs: { location: ELASTICSEARCH_SNAPSHOT_PATH, compress: true } });
    expect(repository!.s3).toBeUndefined();
  });

  it('snapshots the environment\'s log data streams and Kibana\'s feature state nightly, keeping 7 to 30', () => {
    expect(policy).toMatchObject({
      name: names.snapshotPolicy,
      schedule: '0 30 1 * * ?',
      snapshot_name: `<${names.snapshotPrefix}-{now/d}>`,
      indices: [`logs-*-${environment}`],
      feature_states: ['kibana'],
      include_global_state: false,
      ignore_unavailable: true,
      expire_after: '30d',
      min_count: 7,
      max_count: 30,
    });
    // A reference, so the policy is created after (and destroyed before) its repository.
    expect(policy.repository).toMatch(/^\$\{elasticstack_elasticsearch_snapshot_repository\.[\w-]+\.name\}$/);
  });

  it('outputs the repository and policy names', () => {
    expect(tf.output.snapshot_repository!.value).toMatch(/elasticstack_elasticsearch_snapshot_repository\.[\w-]+\.name/);
    expect(tf.output.snapshot_policy!.value).toMatch(/elasticstack_elasticsearch_snapshot_lifecycle\.[\w-]+\.name/);
  });
});

describe('settings reach the policy', () => {
  it('takes schedule and retention from snapshots.*', () => {
    const { tf } = synthElasticStack('dev', { settings: { snapshots: { schedule: '0 0 */6 * * ?', retention: { expireAfterDays: 14, minCount: 3, maxCount: 60 } } } });
    const [policy] = Object.values(tf.resource.elasticstack_elasticsearch_snapshot_lifecycle!) as Record<string, any>[];
    expect(policy).toMatchObject({ schedule: '0 0 */6 * * ?', expire_after: '14d', min_count: 3, max_count: 60 });
  });
});

describe('an S3 repository', () => {
  const deployment = synthDeployment('dev', { snapshots: S3 });
  const nodes = nodesOf(containers(deployment.all)) as OneShot[];

  it('registers the bucket with the nodes\' client, and no filesystem location', () => {
    const [repository] = Object.values(deployment.elastic.resource.elasticstack_elasticsearch_snapshot_repository!);
    expect(repository).toMatchObject({
      name: elasticObjectNames('dev').snapshotRepository,
      verify: true,
      s3: { bucket: 'platform-backups', base_path: 'elk/dev', client: SNAPSHOT_S3_CLIENT, compress: true },
    });
    expect(repository!.fs).toBeUndefined();
  });

  it('gives every node the client\'s endpoint and path style as settings, and its keys only as sensitive variables', () => {
    for (const node of nodes) {
      const env = envOf(node);
      expect(env.get(`s3.client.${SNAPSHOT_S3_CLIENT}.endpoint`)).toBe('https://minio.internal:9000');
      expect(env.get(`s3.client.${SNAPSHOT_S3_CLIENT}.path_style_access`)).toBe('true');
      const uploads = Object.fromEntries((node.upload ?? []).map((u) => [u.file, u]));
      expect(uploads['/usr/share/elasticsearch/config/s3-access-key']).toMatchObject({ content: `\${var.${SNAPSHOT_S3_ACCESS_KEY_VARIABLE}}`, permissions: '0640' });
      expect(uploads['/usr/share/elasticsearch/config/s3-secret-key']).toMatchObject({ content: `\${var.${SNAPSHOT_S3_SECRET_KEY_VARIABLE}}`, permissions: '0640' });
    }
    const variables = (deployment.platform as unknown as { variable: Record<string, { sensitive?: boolean; nullable?: boolean }> }).variable;
    for (const name of [SNAPSHOT_S3_ACCESS_KEY_VARIABLE, SNAPSHOT_S3_SECRET_KEY_VARIABLE]) expect(variables[name]).toMatchObject({ sensitive: true, nullable: false });
    // No output of any stack carries them.
    for (const tf of [deployment.platform, deployment.elastic, deployment.ingest]) {
      for (const [name, output] of Object.entries((tf as { output?: Record<string, unknown> }).output ?? {})) {
        expect(JSON.stringify(output), `output ${name}`).not.toMatch(/snapshot_s3_(access|secret)_key/);
      }
    }
    expect(JSON.stringify(deployment.elastic)).not.toMatch(/snapshot_s3_(access|secret)_key/);
    // Not in any container's environment either (docker inspect shows it to every Docker user).
    for (const node of nodes) expect((node.env ?? []).join('\n')).not.toMatch(/snapshot_s3_(access|secret)_key/);
  });

  it('puts the uploaded keys into the keystore before Elasticsearch starts, then deletes them; a restart keeps the keystore (real bash)', () => {
    const work = mkdtempSync(join(tmpdir(), 'es-keystore-'));
    try {
      const home = join(work, 'es');
      mkdirSync(join(home, 'bin'), { recursive: true });
      mkdirSync(join(home, 'config'));
      const log = join(work, 'keystore.log');
      // Stand-ins: the keystore tool records each call and its stdin; the entrypoint prints what it was started with.
      writeFileSync(join(home, 'bin', 'elasticsearch-keystore'), `#!/bin/bash\n[ "$1" = create ] && touch ${home}/config/elasticsearch.keystore\necho "$* <$(cat 2>/dev/null)>" >> ${log}\n`, { mode: 0o755 });
      const entrypoint = join(work, 'docker-entrypoint.sh');
      writeFileSync(entrypoint, '#!/bin/bash\necho "started $*"\n', { mode: 0o755 });
      writeFileSync(join(home, 'config', 's3-access-key'), 'AKIDEXAMPLE');
      writeFileSync(join(home, 'config', 's3-secret-key'), 'wJalrXUtnFEMI');
      const [shell, flag, script] = nodes[0]!.command!;
      const local = script!.split('/usr/share/elasticsearch').join(home).split('/usr/local/bin/docker-entrypoint.sh').join(entrypoint);
      const start = () => execFileSync(shell!, [flag!, local], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

      expect(start()).toBe('started eswrapper');
      expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
        'create <>',
        `add --stdin --force s3.client.${SNAPSHOT_S3_CLIENT}.access_key <AKIDEXAMPLE>`,
        `add --stdin --force s3.client.${SNAPSHOT_S3_CLIENT}.secret_key <wJalrXUtnFEMI>`,
      ]);
      expect(existsSync(join(home, 'config', 's3-access-key'))).toBe(false);
      expect(existsSync(join(home, 'config', 's3-secret-key'))).toBe(false);

      rmSync(log);
      expect(start()).toBe('started eswrapper');
      expect(existsSync(log)).toBe(false);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('Elasticsearch cron expressions', () => {
  it.each(['0 30 1 * * ?', '0 0 */6 * * ?', '0 15 2 ? * MON-FRI', '0 0 3 L * ?', '0 0 4 ? * 1#2 2027', '30 45 23 31 DEC ?'])('accepts %s', (expression) => {
    expect(cronProblem(expression)).toBeUndefined();
  });

  it.each<[string, RegExp]>([
    ['@daily', /has 1 field\(s\)/],
    ['30 1 * * *', /has 5 field\(s\)/],
    ['0 30 1 * * *', /exactly one of day-of-month .* and day-of-week .* must be "\?"/],
    ['0 30 1 ? * ?', /exactly one of day-of-month/],
    ['0 61 1 * * ?', /field 2 \(minutes\) has 61, outside 0-59/],
    ['0 0 24 * * ?', /field 3 \(hours\) has 24/],
    ['0 0 1 * 13 ?', /field 5 \(month\) has 13/],
    ['0 0 1 x * ?', /field 4 \(day of month\) "x" is not valid there/],
  ])('refuses %s', (expression, problem) => {
    expect(cronProblem(expression)).toMatch(problem);
  });
});

describe('ElasticsearchSnapshots validation', () => {
  const props: ElasticsearchSnapshotsProps = {
    repositoryName: 'r',
    policyName: 'p',
    snapshotPrefix: 's',
    fsLocation: ELASTICSEARCH_SNAPSHOT_PATH,
    schedule: '0 30 1 * * ?',
    retention: { expireAfterDays: 30, minCount: 7, maxCount: 30 },
    indices: ['logs-*-dev'],
  };
  const build = (overrides: Partial<ElasticsearchSnapshotsProps>) => () => new ElasticsearchSnapshots(new TerraformStack(Testing.app(), 'x'), 'snapshots', { ...props, ...overrides });

  it('refuses a schedule that is not a cron expression, naming it', () => {
    expect(build({ schedule: 'nightly' })).toThrow(ValidationError);
    expect(build({ schedule: 'nightly' })).toThrow(/x\/snapshots: schedule "nightly" has 1 field/);
  });

  it('refuses a minimum count above the maximum, and a count below 1', () => {
    expect(build({ retention: { expireAfterDays: 30, minCount: 31, maxCount: 30 } })).toThrow(/retention\.minCount \(31\) must not exceed retention\.maxCount \(30\)/);
    expect(build({ retention: { expireAfterDays: 30, minCount: 0, maxCount: 30 } })).toThrow(/retention\.minCount must be a whole number, at least 1 \(got 0\)/);
  });

  it('refuses an S3 location without a bucket, and a relative filesystem location', () => {
    expect(build({ s3: { bucket: '', client: 'c' } })).toThrow(/s3\.bucket is empty/);
    expect(build({ fsLocation: 'snapshots' })).toThrow(/fsLocation must be an absolute path/);
  });
});
