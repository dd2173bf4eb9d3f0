import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { RandomProvider } from '@cdktf/provider-random/lib/provider/index.js';
import { Password } from '@cdktf/provider-random/lib/password/index.js';
import { DEFAULT_ELASTIC_VERSION } from '../images.js';
import { ensureProvider } from './providers.js';
import {
  PLATFORM_USERS,
  SUPERUSER_NAME,
  platformRoles,
  toRoleDescriptor,
  type PlatformRole,
  type PlatformRoleName,
  type PlatformUser,
} from './roles.js';
import { reportedAt, requireWholeNumber } from '../private/validation.js';

/** A user a component authenticates as: its name and generated password (a sensitive Terraform token). */
export interface ElasticCredential {
  readonly username: string;
  readonly password: string;
}

/** A file to put into the Elasticsearch container at creation (docker `upload`). */
export interface RealmFile {
  /** Absolute path inside the container. */
  readonly path: string;
  /** File content; holds Terraform references to bcrypt hashes, never a password. */
  readonly content: string;
}

/** Elasticsearch's configuration directory in the official image. */
export const ELASTICSEARCH_CONFIG_DIR = '/usr/share/elasticsearch/config';

export interface ElasticFileRealmProps {
  /** Elastic Stack release the roles are written for (Kibana's feature privilege ids). @default DEFAULT_ELASTIC_VERSION */
  readonly elasticVersion?: string;
  /** Index patterns of the log data streams (written by Logstash, read by the provisioner's rule). @default ['logs-*'] */
  readonly logIndexPatterns?: readonly string[];
  /** Length of every generated password (letters and digits only, so safe in YAML, URLs and env files); 24 to 72. @default 32 */
  readonly passwordLength?: number;
}

/**
 * Elasticsearch users that exist from the first start, without an API call:
 * generated passwords (random provider), and the file realm's `users`
 * (bcrypt hashes), `users_roles` and `roles.yml` to upload into every node.
 *
 * The `elastic` superuser's password is generated too; no component uses it.
 * Elasticsearch takes it from the `ELASTIC_PASSWORD` environment variable
 * (`SUPERUSER_PASSWORD_VARIABLE`), which the Elasticsearch containers must set
 * to `superuser.password`; it is the operator's login to Kibana.
 *
 * Adds a default `random` provider to the stack unless one is declared already.
 */
export class ElasticFileRealm extends Construct {
  /** `elastic`: for the operator only. */
  public readonly superuser: ElasticCredential;
  /** Kibana's server user (role `kibana_system`). */
  public readonly kibana: ElasticCredential;
  /** Logstash's output user (writes `logs-*` only). */
  public readonly logstashWriter: ElasticCredential;
  /** APM Server's output user (writes the APM data streams only). */
  public readonly apmWriter: ElasticCredential;
  /** The Elastic configuration stack's user. */
  public readonly provisioner: ElasticCredential;
  /** Healthchecks' user (cluster `monitor` only). */
  public readonly healthcheck: ElasticCredential;
  /** Metricbeat's user (Elastic's remote monitoring roles). */
  public readonly monitoring: ElasticCredential;
  /** The role bodies rendered into `roles.yml`. */
  public readonly roles: Readonly<Record<PlatformRoleName, PlatformRole>>;
  /** `users`, `users_roles`, `roles.yml` under `ELASTICSEARCH_CONFIG_DIR`. */
  public readonly files: readonly RealmFile[];
  /** The same three files' contents by name. */
  public readonly fileContents: { readonly users: string; readonly usersRoles: string; readonly rolesYaml: string };

  constructor(scope: Construct, id: string, props: ElasticFileRealmProps) {
    super(scope, id);
    const length = props.passwordLength ?? 32;
    // bcrypt only hashes the first 72 bytes.
    requireWholeNumber(this, 'passwordLength', length, { min: 24, max: 72 });
    ensureProvider(this, 'random', (stack) => new RandomProvider(stack, 'random'));

    const password = (name: string) =>
      new Password(this, `${name}-password`, {
        length,
        special: false,
        minUpper: 2,
        minLower: 2,
        minNumeric: 2,
      });

    this.superuser = { username: SUPERUSER_NAME, password: password('superuser').result };
    const hashes: Record<PlatformUser, string> = {} as Record<PlatformUser, string>;
    const credential = (user: PlatformUser): ElasticCredential => {
      const generated = password(PLATFORM_USERS[user].username.replace(/_/g, '-'));
      hashes[user] = generated.bcryptHash;
      return { username: PLATFORM_USERS[user].username, password: generated.result };
    };
    this.kibana = credential('kibana');
    this.logstashWriter = credential('logstashWriter');
    this.apmWriter = credential('apmWriter');
    this.provisioner = credential('provisioner');
    this.healthcheck = credential('healthcheck');
    this.monitoring = credential('monitoring');

    this.roles = reportedAt(this, () => platformRoles({
      elasticVersion: props.elasticVersion ?? DEFAULT_ELASTIC_VERSION,
      ...(props.logIndexPatterns ? { logIndexPatterns: props.logIndexPatterns } : {}),
    }));

    const userKeys = Object.keys(PLATFORM_USERS) as PlatformUser[];
    const users = userKeys.map((user) => `${PLATFORM_USERS[user].username}:${hashes[user]}\n`).join('');
    const usersRoles = renderUsersRoles();
    const rolesYaml = renderRolesYaml(this.roles);
    this.fileContents = { users, usersRoles, rolesYaml };
    this.files = [
      { path: `${ELASTICSEARCH_CONFIG_DIR}/users`, content: users },
      { path: `${ELASTICSEARCH_CONFIG_DIR}/users_roles`, content: usersRoles },
      { path: `${ELASTICSEARCH_CONFIG_DIR}/roles.yml`, content: rolesYaml },
    ];
  }
}

/** `role:user1,user2` lines, one per role, in declaration order. */
function renderUsersRoles(): string {
  const members = new Map<string, string[]>();
  for (const { username, roles } of Object.values(PLATFORM_USERS)) {
    for (const role of roles) members.set(role, [...(members.get(role) ?? []), username]);
  }
  return [...members].map(([role, names]) => `${role}:${names.join(',')}\n`).join('');
}

function renderRolesYaml(roles: Readonly<Record<PlatformRoleName, PlatformRole>>): string {
  const header = '# Generated by constructs/security (roles.ts); changes here are overwritten on the next deploy.\n';
  return (
    header +
    Object.entries(roles)
      .map(([name, role]) => `# ${role.description}\n${stringify({ [name]: toRoleDescriptor(role) })}`)
      .join('')
  );
}
