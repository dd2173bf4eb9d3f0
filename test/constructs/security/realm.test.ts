import { TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { RandomProvider } from '@cdktf/provider-random/lib/provider/index.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  ELASTICSEARCH_CONFIG_DIR,
  ElasticFileRealm,
  PLATFORM_USERS,
  kibanaFeaturePrivilege,
  toRoleDescriptor,
  type ElasticFileRealmProps,
} from '../../../constructs/security/index.js';

interface Synth {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  provider: Record<string, unknown[]>;
  output: Record<string, { value: string }>;
}


/** Synthesizes a realm and surfaces its files and credentials as outputs, so the test reads what Terraform would get. */
function synthRealm(props: Partial<ElasticFileRealmProps> = {}, before?: (stack: TerraformStack) => void) {
  const stack = new TerraformStack(Testing.app(), 'test');
  before?.(stack);
  const realm = new ElasticFileRealm(stack, 'realm', props);
  realm.files.forEach((file, i) => new TerraformOutput(stack, `file${i}`, { value: file.content }));
  for (const name of ['superuser', 'kibana', 'logstashWriter', 'apmWriter', 'provisioner', 'healthcheck', 'monitoring'] as const) {
    new TerraformOutput(stack, `${name}Password`, { value: realm[name].password, sensitive: true });
  }
  const out = JSON.parse(Testing.synth(stack, true)) as Synth;
  const passwords = out.resource.random_password!;
  const passwordId = (part: string) => {
    const ids = Object.keys(passwords).filter((id) => id.includes(part));
    expect(ids).toHaveLength(1);
    return ids[0]!;
  };
  const fileContent = (name: string) => out.output[`file${realm.files.findIndex((f) => f.path.endsWith(`/${name}`))}`]!.value;
  return { realm, out, passwords, passwordId, fileContent };
}

describe('ElasticFileRealm', () => {
  it('generates a password per user: 32 letters and digits, no special characters', () => {
    const { passwords } = synthRealm();
    expect(Object.keys(passwords)).toHaveLength(7);
    for (const password of Object.values(passwords)) {
      expect(password).toEqual({ length: 32, special: false, min_upper: 2, min_lower: 2, min_numeric: 2 });
    }
  });

  it('exposes each user with its generated password as a reference, never a value', () => {
    const { realm, out, passwordId } = synthRealm();
    expect(realm.superuser.username).toBe('elastic');
    expect(out.output.superuserPassword!.value).toBe(`\${random_password.${passwordId('superuser')}.result}`);
    const users = { kibana: 'platform_kibana', logstashWriter: 'platform_logstash', apmWriter: 'platform_apm_server', provisioner: 'platform_provisioner', healthcheck: 'platform_healthcheck', monitoring: 'platform_metricbeat' };
    for (const [key, username] of Object.entries(users) as [keyof typeof users, string][]) {
      expect(realm[key].username).toBe(username);
      expect(out.output[`${key}Password`]!.value).toBe(`\${random_password.${passwordId(username.replace(/_/g, '-'))}.result}`);
    }
  });

  it('writes users, users_roles and roles.yml into the Elasticsearch config directory', () => {
    const { realm } = synthRealm();
    expect(realm.files.map((f) => f.path)).toEqual([
      `${ELASTICSEARCH_CONFIG_DIR}/users`,
      `${ELASTICSEARCH_CONFIG_DIR}/users_roles`,
      `${ELASTICSEARCH_CONFIG_DIR}/roles.yml`,
    ]);
    expect(ELASTICSEARCH_CONFIG_DIR).toBe('/usr/share/elasticsearch/config');
  });

  it('puts bcrypt hashes in `users`, one line per file-realm user, and no password and no superuser', () => {
    const { fileContent, passwordId } = synthRealm();
    const users = fileContent('users');
    expect(users).toBe(
      ['platform_kibana', 'platform_logstash', 'platform_apm_server', 'platform_provisioner', 'platform_healthcheck', 'platform_metricbeat']
        .map((name) => `${name}:\${random_password.${passwordId(name.replace(/_/g, '-'))}.bcrypt_hash}\n`)
        .join(''),
    );
    expect(users).not.toContain('.result}');
    expect(users).not.toContain('elastic:');
  });

  it('maps each user to exactly its role in `users_roles`', () => {
    const { fileContent } = synthRealm();
    expect(fileContent('users_roles')).toBe(
      'kibana_system:platform_kibana\n' +
        'platform_logs_writer:platform_logstash\n' +
        'platform_apm_writer:platform_apm_server\n' +
        'platform_provisioner:platform_provisioner\n' +
        'platform_healthcheck:platform_healthcheck\n' +
        // Elastic's built-in Stack Monitoring roles, one user holding both (collects and writes to this cluster).
        'remote_monitoring_collector:platform_metricbeat\n' +
        'remote_monitoring_agent:platform_metricbeat\n',
    );
  });

  it('grants exactly the privileges issue 6 lists, and roles.yml holds exactly the declared role bodies', () => {
    const { realm, fileContent } = synthRealm();
    const expected = {
      platform_logs_writer: {
        cluster: ['monitor'],
        indices: [{ names: ['logs-*'], privileges: ['create_doc', 'auto_configure'] }],
      },
      // What the APM Server docs list for publishing events, on the three APM data stream patterns.
      platform_apm_writer: {
        cluster: ['monitor'],
        indices: [{ names: ['traces-apm*', 'metrics-apm*', 'logs-apm*'], privileges: ['create_doc', 'auto_configure'] }],
      },
      platform_provisioner: {
        // ILM and templates; SLM and the snapshots it takes and deletes; the repository resource.
        cluster: ['monitor', 'manage_ilm', 'manage_index_templates', 'manage_slm', 'create_snapshot', 'cluster:admin/snapshot/delete', 'cluster:admin/repository/put', 'cluster:admin/repository/delete'],
        indices: [
          { names: ['logs-*'], privileges: ['read', 'manage'] },
          { names: ['traces-apm-*', 'logs-apm.error-*'], privileges: ['manage'] },
          { names: ['platform-alerts-*'], privileges: ['manage', 'create_doc'] },
          // The cluster-health rule (run with this user's API key) reads Metricbeat's cluster_stats documents.
          { names: ['.monitoring-es-*', 'metrics-elasticsearch.stack_monitoring.cluster_stats-*'], privileges: ['read'] },
        ],
        applications: [
          {
            application: 'kibana-.kibana',
            privileges: [
              'feature_indexPatterns.all',
              'feature_dashboard_v2.all',
              'feature_discover_v2.all',
              'feature_visualize_v2.all',
              'feature_stackAlerts.all',
              'feature_actions.all',
            ],
            resources: ['space:default'],
          },
        ],
      },
      platform_healthcheck: { cluster: ['monitor'] },
    };
    expect(parse(fileContent('roles.yml'))).toEqual(expected);
    expect(Object.keys(realm.roles)).toEqual(Object.keys(expected));
    for (const [name, role] of Object.entries(realm.roles)) expect(toRoleDescriptor(role)).toEqual(expected[name as keyof typeof expected]);
    // Every role is described in the file for the operator who reads it.
    for (const role of Object.values(realm.roles)) expect(fileContent('roles.yml')).toContain(`# ${role.description}\n`);
  });

  it('limits the log roles to the configured index patterns', () => {
    const { fileContent } = synthRealm({ logIndexPatterns: ['logs-*-dev'] });
    const roles = parse(fileContent('roles.yml'));
    expect(roles.platform_logs_writer.indices).toEqual([{ names: ['logs-*-dev'], privileges: ['create_doc', 'auto_configure'] }]);
    expect(roles.platform_provisioner.indices).toEqual([
      { names: ['logs-*-dev'], privileges: ['read', 'manage'] },
      { names: ['traces-apm-*', 'logs-apm.error-*'], privileges: ['manage'] },
      { names: ['platform-alerts-*'], privileges: ['manage', 'create_doc'] },
      { names: ['.monitoring-es-*', 'metrics-elasticsearch.stack_monitoring.cluster_stats-*'], privileges: ['read'] },
    ]);
  });

  it('names Kibana features as the configured Kibana version knows them', () => {
    expect(kibanaFeaturePrivilege('dashboard', '9.5.3')).toBe('feature_dashboard_v2.all');
    expect(kibanaFeaturePrivilege('dashboard', '8.18.0')).toBe('feature_dashboard_v2.all');
    expect(kibanaFeaturePrivilege('dashboard', '8.17.4')).toBe('feature_dashboard.all');
    expect(kibanaFeaturePrivilege('stackAlerts', '9.5.3')).toBe('feature_stackAlerts.all');
    const stack = new TerraformStack(Testing.app(), 'test');
    const realm = new ElasticFileRealm(stack, 'realm', { elasticVersion: '8.15.5' });
    expect(realm.roles.platform_provisioner.applications[0]!.privileges).toContain('feature_discover.all');
  });

  it('keeps the superuser out of the file realm (Elasticsearch takes it from ELASTIC_PASSWORD)', () => {
    const { realm } = synthRealm();
    expect(Object.values(PLATFORM_USERS).map((u) => u.username)).not.toContain('elastic');
    expect(realm.files.map((f) => f.content).join('')).not.toMatch(/\belastic\b:/);
  });

  it('refuses password lengths that are short or beyond what bcrypt hashes', () => {
    expect(() => synthRealm({ passwordLength: 16 })).toThrow(/passwordLength must be a whole number from 24 to 72 \(got 16\)/);
    expect(() => synthRealm({ passwordLength: 80 })).toThrow(/passwordLength/);
    expect(synthRealm({ passwordLength: 40 }).passwords[Object.keys(synthRealm().passwords)[0]!]).toMatchObject({ length: 40 });
  });

  it('refuses an empty list of log index patterns', () => {
    expect(() => synthRealm({ logIndexPatterns: [] })).toThrow(/^test\/realm: platformRoles: logIndexPatterns must name at least one index pattern/);
  });

  it('reuses a random provider the stack declares and adds one otherwise', () => {
    expect(synthRealm().out.provider.random).toHaveLength(1);
    const { out } = synthRealm({}, (stack) => new RandomProvider(stack, 'mine'));
    expect(out.provider.random).toHaveLength(1);
  });
});
