import type { estypes } from '@elastic/elasticsearch';
import { ALERT_HISTORY_INDEX_PATTERN } from '../elastic/alert-history.js';
import { CLUSTER_STATS_INDEX_PATTERNS } from '../elastic/stack-monitoring.js';
import { ValidationError } from '../private/validation.js';

/**
 * The Elasticsearch users the platform creates and the exact privileges of each,
 * declared once. The file realm's `roles.yml` / `users_roles` are rendered from
 * these definitions and the security tests compare against them, so widening a
 * role is a visible change here and nowhere else.
 *
 * Privileges are closed unions (the client's types accept any string): a typo or
 * a broader privilege fails compilation until it is added on purpose.
 */
export type PlatformClusterPrivilege =
  | 'monitor'
  | 'manage_ilm'
  | 'manage_index_templates'
  | 'manage_slm'
  | 'create_snapshot'
  | 'cluster:admin/repository/put'
  | 'cluster:admin/repository/delete'
  | 'cluster:admin/snapshot/delete';
export type PlatformIndexPrivilege = 'create_doc' | 'auto_configure' | 'read' | 'manage';

/** Kibana features the provisioner works with (ids as in Kibana's feature registry). */
export type KibanaFeature = 'indexPatterns' | 'dashboard' | 'discover' | 'visualize' | 'stackAlerts' | 'actions';

export interface PlatformIndexGrant {
  readonly names: readonly string[];
  readonly privileges: readonly PlatformIndexPrivilege[];
}

export interface KibanaApplicationGrant {
  readonly application: typeof KIBANA_APPLICATION;
  /** `feature_<id>.all` application privileges. */
  readonly privileges: readonly string[];
  /** `space:<id>` resources. */
  readonly resources: readonly string[];
}

/** A role body as it appears in `roles.yml`. */
export interface PlatformRole {
  readonly description: string;
  readonly cluster: readonly PlatformClusterPrivilege[];
  readonly indices: readonly PlatformIndexGrant[];
  readonly applications: readonly KibanaApplicationGrant[];
}

/** Application name under which Kibana registers its privileges (default `.kibana` index). */
export const KIBANA_APPLICATION = 'kibana-.kibana';

/** Built-in role Kibana's own server user must have (and nothing more). */
export const KIBANA_SYSTEM_ROLE = 'kibana_system';

/**
 * Elastic's built-in roles for Metricbeat's Stack Monitoring collection, one user holding both
 * since it collects from and writes to the same cluster (Elasticsearch docs, "Collecting
 * Elasticsearch monitoring data with Metricbeat": `remote_monitoring_collector` on the
 * production cluster, `remote_monitoring_agent` on the monitoring cluster). The collector
 * reads the stats APIs of Elasticsearch and Kibana; the agent writes `.monitoring-*` (and
 * Metricbeat's own `metricbeat-*`, used only by the opt-in docker module).
 */
export const REMOTE_MONITORING_ROLES = ['remote_monitoring_collector', 'remote_monitoring_agent'] as const;

/** Names of the roles this platform defines in `roles.yml`. */
export const PLATFORM_ROLE_NAMES = {
  logsWriter: 'platform_logs_writer',
  apmWriter: 'platform_apm_writer',
  provisioner: 'platform_provisioner',
  healthcheck: 'platform_healthcheck',
} as const;
export type PlatformRoleName = (typeof PLATFORM_ROLE_NAMES)[keyof typeof PLATFORM_ROLE_NAMES];

/** The generated superuser: Elasticsearch's reserved `elastic` user, password set by this variable on every node. */
export const SUPERUSER_NAME = 'elastic';
export const SUPERUSER_PASSWORD_VARIABLE = 'ELASTIC_PASSWORD';

/**
 * File-realm users: who authenticates as what, with which roles. Names avoid
 * Elasticsearch's reserved users (`kibana_system`, `logstash_system`, ...), which
 * the reserved realm would answer for before the file realm.
 */
export const PLATFORM_USERS = {
  /** Kibana's server connection to Elasticsearch. */
  kibana: { username: 'platform_kibana', roles: [KIBANA_SYSTEM_ROLE] },
  /** Logstash's Elasticsearch output: writes log events, nothing else. */
  logstashWriter: { username: 'platform_logstash', roles: [PLATFORM_ROLE_NAMES.logsWriter] },
  /** APM Server's Elasticsearch output: writes trace, metric and error events, nothing else. */
  apmWriter: { username: 'platform_apm_server', roles: [PLATFORM_ROLE_NAMES.apmWriter] },
  /** The `<env>-elastic` stack: ILM, templates, Kibana data view, dashboard, rule, connectors. */
  provisioner: { username: 'platform_provisioner', roles: [PLATFORM_ROLE_NAMES.provisioner] },
  /** Container healthchecks: cluster health only. */
  healthcheck: { username: 'platform_healthcheck', roles: [PLATFORM_ROLE_NAMES.healthcheck] },
  /** Metricbeat: collects Stack Monitoring data and writes it to the `.monitoring-*` data streams. */
  monitoring: { username: 'platform_metricbeat', roles: REMOTE_MONITORING_ROLES },
} as const satisfies Record<string, { username: string; roles: readonly string[] }>;
export type PlatformUser = keyof typeof PLATFORM_USERS;

export interface PlatformRoleOptions {
  /** Elastic Stack version, e.g. `9.5.3`: Kibana 8.18+ renamed some features to `<id>_v2`. */
  readonly elasticVersion: string;
  /** Index patterns of the log data streams. Default `['logs-*']`. */
  readonly logIndexPatterns?: readonly string[];
  /** Kibana spaces the provisioner manages objects in. Default `['default']`. */
  readonly kibanaSpaces?: readonly string[];
}

/**
 * The data streams APM Server writes (created from the templates of Elasticsearch's built-in
 * apm-data plugin): `traces-apm*`, `metrics-apm*`, `logs-apm*`. The writer role grants exactly
 * what the APM Server docs list for publishing events ("Grant privileges and roles needed for
 * writing events": `auto_configure` and `create_doc` on these three patterns).
 */
export const APM_DATA_STREAM_PATTERNS = ['traces-apm*', 'metrics-apm*', 'logs-apm*'] as const;

/**
 * The APM data streams whose retention follows `logRetentionDays` (the `<env>-elastic` stack
 * attaches the log ILM policy to them through their `@custom` component templates): the
 * traces (`traces-apm-<namespace>`) and the errors recorded on spans (`logs-apm.error-<namespace>`).
 * The provisioner saves that policy, so ILM runs its rollover and delete as the provisioner,
 * which therefore needs `manage` on them. The aggregated `metrics-apm.*` rollups keep the
 * plugin's own retention, and `traces-apm.sampled-*` (tail-sampling bookkeeping) too.
 */
export const APM_RETAINED_PATTERNS = ['traces-apm-*', 'logs-apm.error-*'] as const;

/** Kibana features that got a `_v2` successor in 8.18 / 9.0 (the old ids are deprecated). */
const V2_FEATURES: ReadonlySet<KibanaFeature> = new Set(['dashboard', 'discover', 'visualize']);

/** The Kibana application privilege id of `feature` in Kibana `elasticVersion`. */
export function kibanaFeaturePrivilege(feature: KibanaFeature, elasticVersion: string): string {
  const match = /^(\d+)\.(\d+)\.\d+$/.exec(elasticVersion);
  if (!match) throw new ValidationError('kibanaFeaturePrivilege', `elasticVersion "${elasticVersion}" is not a release such as "9.5.3"`);
  const [major, minor] = [Number(match[1]), Number(match[2])];
  const v2 = V2_FEATURES.has(feature) && (major > 8 || (major === 8 && minor >= 18));
  return `feature_${feature}${v2 ? '_v2' : ''}.all`;
}

/** Kibana features the provisioner needs `all` on; nothing broader (no base privilege, no saved-objects management). */
export const PROVISIONER_KIBANA_FEATURES: readonly KibanaFeature[] = [
  'indexPatterns', // the data view
  'dashboard', // the dashboard
  'discover', // the saved search by request id
  'visualize', // the dashboard's visualizations
  'stackAlerts', // the error-spike and cluster-health rules (stack rule types)
  'actions', // its connectors
];

/** The role bodies of the platform's own roles (what `roles.yml` holds). */
export function platformRoles(options: PlatformRoleOptions): Record<PlatformRoleName, PlatformRole> {
  const logs = [...(options.logIndexPatterns ?? ['logs-*'])];
  if (logs.length === 0) throw new ValidationError('platformRoles', 'logIndexPatterns must name at least one index pattern');
  const spaces = [...(options.kibanaSpaces ?? ['default'])];
  if (spaces.length === 0) throw new ValidationError('platformRoles', 'kibanaSpaces must name at least one space');
  return {
    [PLATFORM_ROLE_NAMES.logsWriter]: {
      description: 'Logstash output: appends events to the log data streams (auto-creating them from their template).',
      // `monitor`: the output reads the cluster version and license at start-up.
      cluster: ['monitor'],
      indices: [{ names: logs, privileges: ['create_doc', 'auto_configure'] }],
      applications: [],
    },
    [PLATFORM_ROLE_NAMES.apmWriter]: {
      description: 'APM Server output: appends trace, metric and error events to the APM data streams (auto-creating them from the apm-data plugin templates).',
      // `monitor`: before it accepts events APM Server reads the cluster UUID (GET /), which
      // needs it (elastic/apm-server v9.5.2 internal/beater/beater.go waitReady, queryClusterUUID).
      cluster: ['monitor'],
      indices: [{ names: [...APM_DATA_STREAM_PATTERNS], privileges: ['create_doc', 'auto_configure'] }],
      applications: [],
    },
    [PLATFORM_ROLE_NAMES.provisioner]: {
      description:
        'Elastic configuration stack: ILM policy (its rollover and delete run as this user), templates, snapshot repository and SLM policy (its snapshots run as this user), and the Kibana data view, dashboard, rule and connectors.',
      // `monitor`: the provider reads the cluster version before most calls.
      cluster: [
        'monitor',
        'manage_ilm',
        'manage_index_templates',
        // The SLM policy (PUT/GET/DELETE _slm/policy).
        'manage_slm',
        // SLM takes each scheduled snapshot, and retention deletes expired ones, with the
        // privileges of the user who last saved the policy, like ILM (elastic/elasticsearch
        // issue 67539; SnapshotLifecycleTask runs CreateSnapshot with the policy's headers):
        // `create_snapshot` (which also lists repositories and snapshots: the repository read)
        // and the snapshot delete action.
        'create_snapshot',
        'cluster:admin/snapshot/delete',
        // The repository resource's create/update and destroy. No named privilege short of
        // `manage` covers registering a repository (Elastic keeps it out of create_snapshot on
        // purpose: a repository can send data anywhere the nodes reach), so the two actions only.
        'cluster:admin/repository/put',
        'cluster:admin/repository/delete',
      ],
      // Elasticsearch runs ILM actions (rollover, delete) with the privileges of the
      // user who last saved the policy: `manage` on the log data streams, or
      // retention silently stops. Kibana likewise runs the error-spike rule with
      // its creator's privileges, and the data view lists fields: `read`.
      indices: [
        { names: logs, privileges: ['read', 'manage'] },
        // The APM streams whose retention this policy sets (APM_RETAINED_PATTERNS): ILM's
        // rollover and delete on them run as this user too.
        { names: [...APM_RETAINED_PATTERNS], privileges: ['manage'] },
        // The alert-history index: created by the stack (`manage`) and written by the rule's
        // `.index` connector, which runs with the rule's API key, i.e. this user (`create_doc`).
        { names: [ALERT_HISTORY_INDEX_PATTERN], privileges: ['manage', 'create_doc'] },
        // The cluster-health rule runs with this user's API key and searches what Metricbeat writes.
        { names: [...CLUSTER_STATS_INDEX_PATTERNS], privileges: ['read'] },
      ],
      applications: [
        {
          application: KIBANA_APPLICATION,
          privileges: PROVISIONER_KIBANA_FEATURES.map((f) => kibanaFeaturePrivilege(f, options.elasticVersion)),
          resources: spaces.map((s) => `space:${s}`),
        },
      ],
    },
    [PLATFORM_ROLE_NAMES.healthcheck]: {
      description: 'Container healthchecks: cluster health and status only.',
      cluster: ['monitor'],
      indices: [],
      applications: [],
    },
  };
}

/**
 * A platform role as `roles.yml` (and the role API) expects it. The description
 * stays out: the `description` field only parses on Elasticsearch 8.15+, and an
 * unparsable role in `roles.yml` is dropped; the file carries it as a comment.
 */
export function toRoleDescriptor(role: PlatformRole): estypes.SecurityRoleDescriptor {
  const descriptor: estypes.SecurityRoleDescriptor = { cluster: [...role.cluster] };
  if (role.indices.length > 0) {
    descriptor.indices = role.indices.map((grant) => ({ names: [...grant.names], privileges: [...grant.privileges] }));
  }
  if (role.applications.length > 0) {
    descriptor.applications = role.applications.map((grant) => ({
      application: grant.application,
      privileges: [...grant.privileges],
      resources: [...grant.resources],
    }));
  }
  return descriptor;
}
