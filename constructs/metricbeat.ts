import { Container } from '@cdktf/provider-docker/lib/container/index.js';
import { Construct } from 'constructs';
import { DOCKER_SOCKET_PATH, METRICBEAT_CONFIG_PATH, METRICBEAT_ENV, metricbeatFiles } from '../pipelines/index.js';
import { ValidationError, reportedAt, wholeNumberProp, type WholeNumberRule } from './private/validation.js';
import { containerSettings } from './private/container-settings.js';
import { beatOutputHealthcheckCommand, elkHealthcheck, type RealmCredentials } from './private/elastic-container.js';
import type { CertificateAuthority } from './security/index.js';
import type { Filebeat } from './filebeat.js';
import type { Logstash } from './logstash.js';
import { defaultImage } from './images.js';
import type { PlatformContext } from './platform-context.js';
import { pulledImage } from './private/pulled-image.js';
import { terraformLiteral } from './private/terraform-literal.js';

/** Network alias of the Metricbeat container. */
export const METRICBEAT_ALIAS = 'metricbeat';

const CA_PATH = '/usr/share/metricbeat/certs/ca.crt';
/** The binary in the official image (its working directory and PATH entry is /usr/share/metricbeat). */
const METRICBEAT_BINARY = '/usr/share/metricbeat/metricbeat';

/** Memory Metricbeat's container may get (MiB), and its default; the settings schema derives `monitoring.memoryMb` from it. */
export const METRICBEAT_MEMORY_MB = { min: 64, max: 4096, unit: 'MiB', default: 256 } as const satisfies WholeNumberRule & { readonly default: number };

/**
 * Seconds Metricbeat gets to stop. It keeps no queue on disk and has no shutdown bound of its
 * own: a stop loses at most the samples in its memory queue (a few periods), which the next
 * sample supersedes. The grace matches Filebeat's, so a batch in flight can finish.
 */
export const METRICBEAT_STOP_GRACE_SECONDS = 30;

/** Healthy only while the hop metricbeat -> elasticsearch works (see beatOutputHealthcheckCommand). */
export function metricbeatHealthcheckCommand(): string {
  return beatOutputHealthcheckCommand({ binary: METRICBEAT_BINARY, configPath: METRICBEAT_CONFIG_PATH, name: 'metricbeat' }, 'metricbeat -> elasticsearch: connection, TLS handshake or credentials');
}

export interface MetricbeatProps {
  /** The platform Metricbeat joins (names and network). */
  readonly context: PlatformContext;
  /** Image to run. @default defaultImage('metricbeat') (DEFAULT_ELASTIC_VERSION) */
  readonly image?: string;
  /** Every Elasticsearch node's URL (`ElasticsearchCluster.internalUrls`): each is monitored, and the output writes to them. */
  readonly elasticsearchUrls: readonly string[];
  /** Kibana's URL inside the network (`Kibana.internalUrl`). */
  readonly kibanaUrl: string;
  /** The Logstash it monitors through its API; Metricbeat starts after it is healthy. */
  readonly logstash: Pick<Logstash, 'apiUrl' | 'apiCredentials' | 'containers'>;
  /** The Filebeat it monitors through its HTTP endpoint; Metricbeat starts after it is healthy. */
  readonly filebeat: Pick<Filebeat, 'httpUrl' | 'containers'>;
  /** CA Metricbeat verifies Elasticsearch and Kibana against. */
  readonly certificateAuthority: Pick<CertificateAuthority, 'caCertificatePem'>;
  /** The file-realm user with Elastic's remote monitoring roles. */
  readonly monitoringUser: RealmCredentials;
  /**
   * Also collect container metrics through the Docker Engine socket, mounted into the container.
   * Whoever controls that socket is root on the Docker host, so this runs Metricbeat as root
   * with host-root power: an explicit opt-in only.
   * @default false
   */
  readonly dockerMetrics?: boolean;
  /**
   * Memory limit of the container (MiB).
   * @default METRICBEAT_MEMORY_MB.default (256)
   */
  readonly memoryMb?: number;
}

/**
 * Metricbeat collecting Stack Monitoring data (the `xpack.enabled` modules) from every
 * Elasticsearch node, Kibana, Logstash and Filebeat into the same cluster, over TLS verified
 * against the platform CA, as its own least-privilege user. With `dockerMetrics` it also reads
 * container metrics from the Docker socket. Not published; its config is uploaded, not mounted.
 */
export class Metricbeat extends Construct {
  readonly container: Container;
  /** Every container, for `dependsOn`. */
  readonly containers: readonly Container[];

  constructor(scope: Construct, id: string, props: MetricbeatProps) {
    super(scope, id);
    const { context, context: { namePrefix } } = props;
    const memoryMb = wholeNumberProp(this, 'memoryMb', props.memoryMb, METRICBEAT_MEMORY_MB);
    if (!props.monitoringUser.username) {
      throw new ValidationError(this, 'monitoringUser.username is empty: give the file-realm user with the remote monitoring roles (ElasticFileRealm.monitoring)');
    }
    const dockerMetrics = props.dockerMetrics ?? false;

    const files = reportedAt(this, () =>
      metricbeatFiles({
        elasticsearchUrls: props.elasticsearchUrls,
        kibanaUrl: props.kibanaUrl,
        logstashApiUrl: props.logstash.apiUrl,
        beatUrls: [props.filebeat.httpUrl],
        caCertificatePath: CA_PATH,
        dockerMetrics,
      }),
    );
    const image = pulledImage(this, props.image ?? defaultImage('metricbeat'));
    const env: Record<(typeof METRICBEAT_ENV)[keyof typeof METRICBEAT_ENV], string> = {
      [METRICBEAT_ENV.monitoringUsername]: props.monitoringUser.username,
      [METRICBEAT_ENV.monitoringPassword]: props.monitoringUser.password,
      [METRICBEAT_ENV.logstashApiUsername]: props.logstash.apiCredentials.username,
      [METRICBEAT_ENV.logstashApiPassword]: props.logstash.apiCredentials.password,
    };

    this.container = new Container(this, 'container', {
      name: `${namePrefix}-${METRICBEAT_ALIAS}`,
      image: image.imageId,
      hostname: METRICBEAT_ALIAS,
      ...containerSettings(context, { aliases: [METRICBEAT_ALIAS], memoryMb, healthyWithinSeconds: 120, stopGraceSeconds: METRICBEAT_STOP_GRACE_SECONDS }),
      env: Object.entries(env).map(([name, value]) => `${name}=${value}`),
      // The socket belongs to root (group docker, whose id differs per host): only root in the
      // container can open it. Without docker metrics the image's own unprivileged user runs.
      ...(dockerMetrics
        ? {
            user: 'root',
            // The one host path the platform mounts, and only on this opt-in: a socket cannot be
            // uploaded. read_only does not limit the API: any request through it is allowed.
            mounts: [{ type: 'bind', source: DOCKER_SOCKET_PATH, target: DOCKER_SOCKET_PATH, readOnly: true }],
          }
        : {}),
      upload: [
        // Metricbeat refuses a config writable by group or others (strict.perms); it holds no secret.
        ...files.map((file) => ({ file: file.path, content: terraformLiteral(file.content), permissions: '0644' })),
        { file: CA_PATH, content: props.certificateAuthority.caCertificatePem, permissions: '0644' },
      ],
      healthcheck: elkHealthcheck(metricbeatHealthcheckCommand(), '20s'),
      dependsOn: [...props.logstash.containers, ...props.filebeat.containers],
    });
    this.containers = [this.container];
  }
}
