import { Aspects, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { DockerProvider } from '@cdktf/provider-docker/lib/provider/index.js';
import { Volume } from '@cdktf/provider-docker/lib/volume/index.js';
import { File } from '@cdktf/provider-local/lib/file/index.js';
import { LocalProvider } from '@cdktf/provider-local/lib/provider/index.js';
import { RandomProvider } from '@cdktf/provider-random/lib/provider/index.js';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider/index.js';
import { Elasticsearch } from '../constructs/elasticsearch.js';
import { FastifyService } from '../constructs/fastify-service.js';
import { Kibana } from '../constructs/kibana.js';
import { PlatformNetwork } from '../constructs/network.js';
import { Nginx } from '../constructs/nginx.js';
import { PROJECT_LABEL, platformLabels, type PlatformContext } from '../constructs/platform-context.js';
import { Postgres } from '../constructs/postgres.js';
import { PostgresBackup } from '../constructs/postgres-backup.js';
import { apmSecretToken } from '../constructs/apm-server.js';
import { Redis } from '../constructs/redis.js';
import { ElasticFileRealm, PlatformPki } from '../constructs/security/index.js';
import { SERVICES, type ServiceDeclaration } from '@platform/contract';
import { platformCaFile } from './ca-file.js';
import { ValidationError } from '../constructs/private/validation.js';
import { namePrefixOf, type EnvironmentConfig } from './config/index.js';
import {
  elasticsearchProps,
  fileRealmSettings,
  kibanaProps,
  nginxSettings,
  postgresBackupSettings,
  postgresSettings,
  redisSettings,
  serviceSettings,
  serviceTracing,
} from './component-props.js';
import type { ElasticConnection, IngestInputs } from './contracts.js';
import { ContainerPolicyAspect } from './policy-aspect.js';
import { useProjectStateFile } from './state-backend.js';

export interface PlatformStackProps {
  /** Validated environment settings (see `loadEnvironmentConfig`). */
  readonly config: EnvironmentConfig;
  /** The services to run. @default SERVICES (the catalog) */
  readonly services?: readonly ServiceDeclaration[];
}

/** Terraform variable with the S3 access key id of the snapshot repository (TF_VAR_snapshot_s3_access_key). */
export const SNAPSHOT_S3_ACCESS_KEY_VARIABLE = 'snapshot_s3_access_key';
/** Terraform variable with its secret access key (TF_VAR_snapshot_s3_secret_key). */
export const SNAPSHOT_S3_SECRET_KEY_VARIABLE = 'snapshot_s3_secret_key';

/**
 * The S3 keys of `snapshots.s3`, read at plan time from sensitive variables of this stack (the
 * nodes' keystores are filled here, where the containers are), so cdk.tf.json holds only
 * `var.` references and plans print "(sensitive value)". The state keeps them, in the nodes'
 * uploads: the docker provider has no write-only attributes.
 */
function snapshotS3Keys(stack: TerraformStack): { accessKey: string; secretKey: string } {
  const key = (name: string, what: string) =>
    new TerraformVariable(stack, name, {
      type: 'string',
      sensitive: true,
      nullable: false,
      description: `${what} of the S3 snapshot repository (snapshots.s3); set TF_VAR_${name}.`,
      validation: [{ condition: `\${length(var.${name}) > 0}`, errorMessage: `${name} must not be empty.` }],
    }).stringValue;
  return { accessKey: key(SNAPSHOT_S3_ACCESS_KEY_VARIABLE, 'Access key id'), secretKey: key(SNAPSHOT_S3_SECRET_KEY_VARIABLE, 'Secret access key') };
}

/**
 * Services ordered so that each comes after the services it calls; a call to an
 * undeclared service or a cycle of calls is a configuration error.
 */
export function orderByCalls(services: readonly ServiceDeclaration[]): ServiceDeclaration[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const ordered: ServiceDeclaration[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (service: ServiceDeclaration, path: string[]): void => {
    if (state.get(service.name) === 'done') return;
    if (state.get(service.name) === 'visiting') {
      throw new ValidationError('orderByCalls', `services call each other in a cycle: ${[...path, service.name].join(' -> ')}; a service cannot start before itself`);
    }
    state.set(service.name, 'visiting');
    for (const [variable, target] of Object.entries(service.calls)) {
      const callee = byName.get(target);
      if (!callee) {
        throw new ValidationError('orderByCalls', `service "${service.name}" calls "${target}" (${variable}), which is not declared; declared services: ${[...byName.keys()].join(', ')}`);
      }
      visit(callee, [...path, service.name]);
    }
    state.set(service.name, 'done');
    ordered.push(service);
  };
  for (const service of services) visit(service, []);
  return ordered;
}

/**
 * `<env>-platform`: everything on the Docker host but the log shippers. One private
 * network, named volumes, generated secrets, the platform CA and Postgres, Redis, the
 * Fastify services, nginx, Elasticsearch and Kibana. Containers start in dependency order,
 * each only after what it needs is healthy. Logstash and Filebeat are `<env>-ingest`'s,
 * deployed once `<env>-elastic` has created the data streams they write to.
 */
export class PlatformStack extends TerraformStack {
  /** What the `<env>-elastic` stack connects with (cross-stack references). */
  public readonly elasticConnection: ElasticConnection;
  /** What the `<env>-ingest` stack's shippers connect with (cross-stack references). */
  public readonly ingestInputs: IngestInputs;
  public readonly context: PlatformContext;
  public readonly postgres: Postgres;
  /** Scheduled dumps of every service database. */
  public readonly postgresBackup: PostgresBackup;
  public readonly redis: Redis;
  /** One per declared service, callees before callers. */
  public readonly services: readonly FastifyService[];
  public readonly nginx: Nginx;
  public readonly elasticsearch: Elasticsearch;
  public readonly kibana: Kibana;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    useProjectStateFile(this);
    const { config } = props;
    const declared = props.services ?? SERVICES;
    if (declared.length === 0) throw new ValidationError(this, 'services must declare at least one service');

    // Providers first: the security constructs reuse a declared provider instead of adding one.
    // The docker provider talks to DOCKER_CONTEXT's endpoint, else DOCKER_HOST, else the local socket.
    new DockerProvider(this, 'docker', {});
    new RandomProvider(this, 'random', {});
    new TlsProvider(this, 'tls', {});
    new LocalProvider(this, 'local', {});

    const namePrefix = namePrefixOf(config);
    const network = new PlatformNetwork(this, 'network', {
      namePrefix,
      bindAddress: config.bindAddress,
      labels: [{ label: PROJECT_LABEL, value: namePrefix }],
    });
    const context: PlatformContext = { namePrefix, networkName: network.name };
    this.context = context;

    // The services and nginx write here; Filebeat reads it.
    const logs = new Volume(this, 'logs', { name: `${namePrefix}-logs`, labels: platformLabels(context) });

    const pki = new PlatformPki(this, 'pki', { context });
    // The elastic stack's Kibana connection reads the CA from this file (the provider takes
    // CA files only). Written here, it exists before that stack is planned and until it is
    // destroyed: cdktf deploys this stack first and destroys it last. A public certificate.
    new File(this, 'ca-file', {
      filename: platformCaFile(config.environment),
      content: pki.caCertificatePem,
      filePermission: '0644',
      directoryPermission: '0755',
    });
    const realm = new ElasticFileRealm(this, 'file-realm', fileRealmSettings(config));

    // Service traffic to both stores is TLS, verified against the platform CA.
    this.postgres = new Postgres(this, 'postgres', { ...postgresSettings(config), context, certificateAuthority: pki });
    this.redis = new Redis(this, 'redis', { ...redisSettings(config), context, certificateAuthority: pki });

    // Each service gets its own database and Redis user, in catalog order (the init script's
    // and the ACL file's order); the services are then built callees first.
    const access = new Map(
      declared.map((service) => [
        service.name,
        { database: this.postgres.addDatabase({ name: service.database, client: service.name }), redis: this.redis.addUser(service.name) },
      ]),
    );
    // One backup container dumps every service database, as a role that may only read them.
    this.postgresBackup = new PostgresBackup(this, 'postgres-backup', {
      ...postgresBackupSettings(config),
      context,
      server: { host: this.postgres.alias, port: this.postgres.port },
      credentials: this.postgres.addBackupRole(),
      databases: [...access.values()].map(({ database }) => database.database),
      caCertificatePem: pki.caCertificatePem,
      dependsOn: [this.postgres.container],
    });
    // APM Server runs in `<env>-ingest` (after the retention templates exist); its token is
    // generated here, beside the services that send it, and handed over with the ingest inputs.
    const apmToken = config.tracing.enabled ? apmSecretToken(this, 'apm-secret-token') : undefined;
    const tracing = serviceTracing(config, apmToken);
    const built = new Map<string, FastifyService>();
    for (const service of orderByCalls(declared)) {
      const { database, redis } = access.get(service.name)!;
      built.set(
        service.name,
        new FastifyService(this, service.name, {
          ...serviceSettings(config, service.name),
          context,
          service,
          databaseUrl: database.url,
          redisUrl: redis.url,
          redisKeyPrefix: redis.keyPrefix,
          caCertificatePem: pki.caCertificatePem,
          logVolumeName: logs.name,
          peers: Object.fromEntries(built),
          dependsOn: [this.postgres.container, this.redis.container],
          ...(tracing ? { tracing } : {}),
        }),
      );
    }
    this.services = [...built.values()];
    this.nginx = new Nginx(this, 'nginx', { ...nginxSettings(config), context, services: this.services, logVolumeName: logs.name });

    const elasticWiring = { context, certificateAuthority: pki, realm, snapshotS3Keys: config.snapshots.s3 && snapshotS3Keys(this) };
    this.elasticsearch = new Elasticsearch(this, 'elasticsearch', elasticsearchProps(config, elasticWiring));
    this.kibana = new Kibana(this, 'kibana', kibanaProps(config, elasticWiring, this.elasticsearch));
    this.ingestInputs = {
      context,
      logVolumeName: logs.name,
      certificateAuthority: pki,
      logsWriter: realm.logstashWriter,
      elasticsearchUrls: this.elasticsearch.internalUrls,
      kibanaUrl: this.kibana.internalUrl,
      monitoringUser: realm.monitoring,
      apmWriter: realm.apmWriter,
      ...(apmToken === undefined ? {} : { apmSecretToken: apmToken }),
    };

    this.elasticConnection = {
      elasticsearchEndpoint: this.elasticsearch.publishedUrl,
      kibanaEndpoint: this.kibana.publishedUrl,
      username: realm.provisioner.username,
      password: realm.provisioner.password,
      caCertificatePem: pki.caCertificatePem,
    };

    new TerraformOutput(this, 'nginx_url', { value: this.nginx.url, description: 'The API entry point (routes: ' + declared.map((s) => s.routePrefix).join(', ') + ').' });
    new TerraformOutput(this, 'kibana_url', { value: this.kibana.publishedUrl, description: 'Kibana (HTTPS, certificate from the platform CA; log in as elastic).' });
    new TerraformOutput(this, 'elasticsearch_url', { value: this.elasticsearch.publishedUrl, description: 'Elasticsearch HTTPS endpoint on the bind address.' });
    new TerraformOutput(this, 'ca_certificate_pem', { value: pki.caCertificatePem, description: 'The platform CA: trust it to verify Kibana and Elasticsearch.' });
    new TerraformOutput(this, 'elastic_provisioner_username', { value: realm.provisioner.username, description: 'User the Elastic configuration stack authenticates as.' });
    new TerraformOutput(this, 'elastic_provisioner_password', { value: realm.provisioner.password, sensitive: true, description: 'Its generated password.' });
    new TerraformOutput(this, 'elastic_superuser_password', { value: realm.superuser.password, sensitive: true, description: 'Password of the elastic superuser (the operator login to Kibana).' });
    new TerraformOutput(this, 'credentials_hint', {
      value:
        `Sensitive outputs are hidden. Read them with: npm run outputs -- --env ${config.environment} --outputs-file "$HOME/${id}-outputs.json" ` +
        '--outputs-file-include-sensitive-outputs (keep that file private, outside the repository).',
    });

    Aspects.of(this).add(new ContainerPolicyAspect(config.bindAddress));
  }
}
