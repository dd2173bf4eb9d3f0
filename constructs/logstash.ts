import { Container } from '@cdktf/provider-docker/lib/container/index.js';
import { Volume } from '@cdktf/provider-docker/lib/volume/index.js';
import { Password } from '@cdktf/provider-random/lib/password/index.js';
import { RandomProvider } from '@cdktf/provider-random/lib/provider/index.js';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';
import { parse } from 'yaml';
import {
  LOGSTASH_API_PORT,
  LOGSTASH_BEATS_PORT,
  LOGSTASH_CONFIG_DIR,
  LOGSTASH_DATA_DIR,
  LOGSTASH_ENV,
  LOGSTASH_SETTINGS_ENV,
  logstashFiles,
  type ContainerFile,
  type LogstashEnvName,
  type LogstashSettingsEnvName,
} from '../pipelines/index.js';
import { ValidationError, wholeNumberProp, type WholeNumberRule } from './private/validation.js';
import {
  elasticContainerSettings,
  elkHealthcheck,
  tlsUploads,
  type RealmCredentials,
} from './private/elastic-container.js';
import type { CertificateAuthority } from './security/index.js';
import { terraformLiteral } from './private/terraform-literal.js';
import { defaultImage } from './images.js';
import { platformLabels, type PlatformContext } from './platform-context.js';
import { pulledImage } from './private/pulled-image.js';
import { ensureProvider } from './security/providers.js';

/**
 * Seconds Logstash gets to stop. On SIGTERM it stops its inputs and waits for the batches
 * in flight to reach Elasticsearch and be acknowledged in the persistent queue
 * (`pipeline.unsafe_shutdown: false`, the default, has no time limit of its own); a kill
 * before that replays them from the queue after the restart.
 */
export const LOGSTASH_STOP_GRACE_SECONDS = 120;

/** Network alias of the Logstash container; Filebeat ships to `logstash:5044`. */
export const LOGSTASH_ALIAS = 'logstash';

/** The monitoring API's basic-auth user (Logstash's own, not an Elasticsearch user). */
export const LOGSTASH_API_USERNAME = 'platform_monitoring';

const CA_PATH = `${LOGSTASH_CONFIG_DIR}/certs/ca.crt`;
const BEATS_CERT_PATH = `${LOGSTASH_CONFIG_DIR}/certs/logstash.crt`;
const BEATS_KEY_PATH = `${LOGSTASH_CONFIG_DIR}/certs/logstash.key`;

/** JVM heap Logstash may get (MiB), and its default; the settings schema derives `logstash.heapMb` from it. */
export const LOGSTASH_HEAP_MB = { min: 256, max: 8192, unit: 'MiB', default: 512 } as const satisfies WholeNumberRule & { readonly default: number };

export interface LogstashProps {
  /** The platform Logstash joins (names and network). */
  readonly context: PlatformContext;
  /** The environment whose log streams the pipeline writes (`logs-<source>-<environment>`), e.g. `dev`. */
  readonly environment: string;
  /** Image to run. @default defaultImage('logstash') (DEFAULT_ELASTIC_VERSION) */
  readonly image?: string;
  /**
   * Every Elasticsearch node's URL (`ElasticsearchCluster.internalUrls`), where the pipeline writes.
   * Logstash runs in a stack deployed after the cluster's, so it needs no `dependsOn` on it.
   */
  readonly elasticsearchUrls: readonly string[];
  /**
   * The data streams the pipeline writes to (references to the resources that create them).
   * Written into a container label, so Terraform creates Logstash only after every one of
   * them exists, and no document reaches Elasticsearch before its template does.
   */
  readonly dataStreams: readonly string[];
  /** CA that issues the Beats input's certificate and that Logstash verifies Elasticsearch against. */
  readonly certificateAuthority: CertificateAuthority;
  /** The file-realm user limited to writing the `logs-*` data streams. */
  readonly writerUser: RealmCredentials;
  /**
   * JVM heap in MiB; the container memory limit is twice this.
   * @default LOGSTASH_HEAP_MB.default (512)
   */
  readonly heapMb?: number;
  /**
   * The settings and pipeline files put into the container.
   * @default logstashFiles() from pipelines/
   */
  readonly files?: readonly ContainerFile[];
}

/**
 * Logstash running the platform pipeline from `pipelines/`: a TLS Beats input
 * with a certificate from the platform CA, a persistent queue and dead-letter
 * queue on a named volume, and an Elasticsearch output that authenticates as
 * the writer user and verifies the cluster against the CA. Not published.
 */
export class Logstash extends Construct {
  readonly container: Container;
  /** Every container, for `dependsOn`. */
  readonly containers: readonly Container[];
  /** `host:port` of the Beats input inside the network, e.g. `logstash:5044`. */
  readonly beatsHosts: readonly string[] = [`${LOGSTASH_ALIAS}:${LOGSTASH_BEATS_PORT}`];
  /** `http://logstash:9600`: the monitoring API inside the network (basic auth, see `apiCredentials`). */
  readonly apiUrl = `http://${LOGSTASH_ALIAS}:${LOGSTASH_API_PORT}`;
  /** The monitoring API's user and generated password (Metricbeat polls the API with them). */
  readonly apiCredentials: RealmCredentials;

  constructor(scope: Construct, id: string, props: LogstashProps) {
    super(scope, id);
    const { context, context: { namePrefix } } = props;
    const heapMb = wholeNumberProp(this, 'heapMb', props.heapMb, LOGSTASH_HEAP_MB);
    const files = props.files ?? logstashFiles();
    const pipelineIds = pipelineIdsOf(this, files);
    if (props.elasticsearchUrls.length === 0) {
      throw new ValidationError(this, 'elasticsearchUrls is empty: give every Elasticsearch node\'s URL (ElasticsearchCluster.internalUrls)');
    }
    if (props.dataStreams.length === 0) {
      throw new ValidationError(this, 'dataStreams is empty: the pipeline must start only after the data streams it writes to exist');
    }

    const containerName = `${namePrefix}-${LOGSTASH_ALIAS}`;
    const certificate = props.certificateAuthority.issue('logstash-certificate', {
      commonName: LOGSTASH_ALIAS,
      dnsNames: [LOGSTASH_ALIAS, containerName, 'localhost'],
      ipAddresses: ['127.0.0.1'],
    });
    const image = pulledImage(this, props.image ?? defaultImage('logstash'));
    ensureProvider(this, 'random', (stack) => new RandomProvider(stack, 'random'));
    // Letters and digits with at least two of each kind: the API's password policy (upper, lower, digit, 8+) holds.
    const apiPassword = new Password(this, 'api-password', { length: 32, special: false, minUpper: 2, minLower: 2, minNumeric: 2 });
    this.apiCredentials = { username: LOGSTASH_API_USERNAME, password: apiPassword.result };
    const data = new Volume(this, 'data', { name: `${namePrefix}-${LOGSTASH_ALIAS}-data`, labels: platformLabels(context) });

    const containerEnv: Record<LogstashEnvName, string> = {
      [LOGSTASH_ENV.elasticsearchHosts]: props.elasticsearchUrls.join(' '),
      [LOGSTASH_ENV.writerUsername]: props.writerUser.username,
      [LOGSTASH_ENV.writerPassword]: props.writerUser.password,
      [LOGSTASH_ENV.elasticsearchCaPath]: CA_PATH,
      [LOGSTASH_ENV.beatsCertificatePath]: BEATS_CERT_PATH,
      [LOGSTASH_ENV.beatsKeyPath]: BEATS_KEY_PATH,
      [LOGSTASH_ENV.platformEnvironment]: props.environment,
    };
    const settingsEnv: Record<LogstashSettingsEnvName, string> = {
      [LOGSTASH_SETTINGS_ENV.apiUsername]: this.apiCredentials.username,
      [LOGSTASH_SETTINGS_ENV.apiPassword]: this.apiCredentials.password,
    };

    this.container = new Container(this, 'container', {
      name: containerName,
      image: image.imageId,
      hostname: LOGSTASH_ALIAS,
      ...withLabel(
        elasticContainerSettings(context, { aliases: [LOGSTASH_ALIAS], memoryMb: heapMb * 2, stopGraceSeconds: LOGSTASH_STOP_GRACE_SECONDS }),
        { label: DATA_STREAMS_LABEL, value: props.dataStreams.some((name) => Token.isUnresolved(name)) ? Fn.join(',', [...props.dataStreams]) : props.dataStreams.join(',') },
      ),
      env: [...Object.entries({ ...containerEnv, ...settingsEnv }).map(([name, value]) => `${name}=${value}`), `LS_JAVA_OPTS=-Xms${heapMb}m -Xmx${heapMb}m`],
      volumes: [{ volumeName: data.name, containerPath: LOGSTASH_DATA_DIR }],
      upload: [
        // The image's entrypoint may rewrite logstash.yml from the environment, so settings files stay group-writable (group 0).
        ...files.map((file) => ({ file: file.path, content: terraformLiteral(file.content), permissions: '0664' })),
        ...tlsUploads(
          { caCertificate: CA_PATH, certificate: BEATS_CERT_PATH, privateKey: BEATS_KEY_PATH },
          props.certificateAuthority.caCertificatePem,
          certificate,
        ),
      ],
      healthcheck: elkHealthcheck(
        logstashHealthcheckCommand({ pipelineIds, elasticsearchUrl: props.elasticsearchUrls[0]!, environment: props.environment }),
        '60s',
      ),
    });
    this.containers = [this.container];
  }
}

interface LogstashHealthcheckInput {
  readonly pipelineIds: readonly string[];
  readonly elasticsearchUrl: string;
  readonly environment: string;
}

/**
 * Healthy once every pipeline is loaded AND the output's hop works: the writer user, over
 * TLS verified against the pipeline's own CA file, reaches Elasticsearch and may create
 * documents in the environment's log streams. A 401, a TLS error or a missing privilege
 * fails the check, and the message (in `docker inspect`'s health log) names the hop.
 */
export function logstashHealthcheckCommand(input: LogstashHealthcheckInput): string {
  const privileges = JSON.stringify({ index: [{ names: [`logs-*-${input.environment}`], privileges: ['create_doc'] }] });
  const env = LOGSTASH_ENV;
  const api = LOGSTASH_SETTINGS_ENV;
  return [
    `status=$(curl --silent --fail --user "$${api.apiUsername}:$${api.apiPassword}" http://127.0.0.1:${LOGSTASH_API_PORT}/_node/pipelines) ` +
      `|| { echo 'logstash: monitoring API not answering (or refusing its own API user)'; exit 1; }`,
    ...input.pipelineIds.map((id) => `echo "$status" | grep -q '"${id}"' || { echo 'logstash: pipeline ${id} not running'; exit 1; }`),
    `curl --silent --show-error --fail --cacert "$${env.elasticsearchCaPath}" --user "$${env.writerUsername}:$${env.writerPassword}" ` +
      `-H 'Content-Type: application/json' -d '${privileges}' ${input.elasticsearchUrl}/_security/user/_has_privileges | grep -q '"has_all_requested":true' ` +
      `|| { echo 'logstash -> elasticsearch: the writer user cannot create documents in logs-*-${input.environment} (TLS, credentials or role)'; exit 1; }`,
  ].join('\n');
}

/** Label of the Logstash container naming the data streams it writes to (see `LogstashProps.dataStreams`). */
export const DATA_STREAMS_LABEL = 'io.platform.data-streams';

function withLabel<T extends { labels: { label: string; value: string }[] }>(settings: T, label: { label: string; value: string }): T {
  return { ...settings, labels: [...settings.labels, label] };
}

/** The `pipeline.id`s declared in the uploaded pipelines.yml; the healthcheck waits for each. */
function pipelineIdsOf(scope: Construct, files: readonly ContainerFile[]): string[] {
  const pipelinesYml = files.find((f) => f.path === `${LOGSTASH_CONFIG_DIR}/pipelines.yml`);
  if (!pipelinesYml) {
    throw new ValidationError(scope, `files has no ${LOGSTASH_CONFIG_DIR}/pipelines.yml; Logstash would run the image's sample pipeline`);
  }
  const declared: unknown = parse(pipelinesYml.content);
  const ids = Array.isArray(declared) ? declared.map((p: { 'pipeline.id'?: unknown }) => p['pipeline.id']) : [];
  if (ids.length === 0 || !ids.every((pipelineId): pipelineId is string => typeof pipelineId === 'string' && /^[A-Za-z0-9_.-]+$/.test(pipelineId))) {
    throw new ValidationError(scope, 'files: pipelines.yml must list pipelines, each with a "pipeline.id" of letters, digits, ".", "_" or "-"');
  }
  return ids;
}
