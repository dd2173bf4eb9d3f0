import { Container } from '@cdktf/provider-docker/lib/container/index.js';
import { Volume } from '@cdktf/provider-docker/lib/volume/index.js';
import { Construct } from 'constructs';
import {
  FILEBEAT_CLUSTER_UUID_VARIABLE,
  FILEBEAT_CONFIG_PATH,
  FILEBEAT_DATA_DIR,
  FILEBEAT_HTTP_PORT,
  FILEBEAT_SHUTDOWN_TIMEOUT_SECONDS,
  filebeatFiles,
} from '../pipelines/index.js';
import { LOG_ROOT, SERVICES, type ServiceDeclaration } from '@platform/contract';
import { ValidationError, reportedAt, wholeNumberProp } from './private/validation.js';
import { containerSettings } from './private/container-settings.js';
import { beatOutputHealthcheckCommand, elkHealthcheck } from './private/elastic-container.js';
import type { CertificateAuthority } from './security/index.js';
import type { Logstash } from './logstash.js';
import { defaultImage } from './images.js';
import { platformLabels, type PlatformContext } from './platform-context.js';
import { pulledImage } from './private/pulled-image.js';
import { terraformLiteral } from './private/terraform-literal.js';

/** Network alias of the Filebeat container. */
export const FILEBEAT_ALIAS = 'filebeat';

const CA_PATH = '/usr/share/filebeat/certs/ca.crt';
/** The binary in the official image (its working directory and PATH entry is /usr/share/filebeat). */
const FILEBEAT_BINARY = '/usr/share/filebeat/filebeat';

/** Healthy only while the hop filebeat -> logstash works (see beatOutputHealthcheckCommand). */
export function filebeatHealthcheckCommand(): string {
  return beatOutputHealthcheckCommand({ binary: FILEBEAT_BINARY, configPath: FILEBEAT_CONFIG_PATH, name: 'filebeat' }, 'filebeat -> logstash: connection or TLS handshake');
}

export interface FilebeatProps {
  /** The platform Filebeat joins (names and network). */
  readonly context: PlatformContext;
  /** The environment its events are tagged with (and so which log streams they reach), e.g. `dev`. */
  readonly environment: string;
  /** Image to run. @default defaultImage('filebeat') (DEFAULT_ELASTIC_VERSION) */
  readonly image?: string;
  /** Where Filebeat ships; it starts after Logstash is healthy. */
  readonly logstash: Logstash;
  /** CA Filebeat verifies Logstash's Beats certificate against. */
  readonly certificateAuthority: Pick<CertificateAuthority, 'caCertificatePem'>;
  /** Name of the shared log volume the services and nginx write into; mounted read-only at LOG_ROOT. */
  readonly logVolumeName: string;
  /**
   * Services whose log files are shipped.
   * @default SERVICES (the catalog)
   */
  readonly services?: readonly ServiceDeclaration[];
  /**
   * Memory limit of the container (MiB).
   * @default 256
   */
  readonly memoryMb?: number;
  /**
   * UUID of the cluster Stack Monitoring lists this Filebeat under (a reference, e.g. the elastic
   * stack's `elasticstack_elasticsearch_info`); it reaches filebeat.yml through the environment.
   * @default none: listed under "Standalone cluster"
   */
  readonly monitoringClusterUuid?: string;
}

/**
 * Filebeat shipping every service's and nginx's log files from the shared log
 * volume (read-only) to Logstash over TLS verified against the platform CA.
 * Its registry lives on its own volume, so a restart neither loses nor repeats lines.
 */
export class Filebeat extends Construct {
  /** Every container, for `dependsOn`. */
  readonly containers: readonly Container[];
  /** `http://filebeat:5066`: its stats endpoint inside the network (Metricbeat's `beat` module polls it). */
  readonly httpUrl = `http://${FILEBEAT_ALIAS}:${FILEBEAT_HTTP_PORT}`;

  constructor(scope: Construct, id: string, props: FilebeatProps) {
    super(scope, id);
    const { context, context: { namePrefix } } = props;
    const memoryMb = wholeNumberProp(this, 'memoryMb', props.memoryMb, { default: 256, min: 64, max: 4096, unit: 'MiB' });
    if (!props.logVolumeName) {
      throw new ValidationError(this, 'logVolumeName is empty: give the shared log volume the services write into');
    }

    const files = reportedAt(this, () => filebeatFiles({
      services: props.services ?? SERVICES,
      environment: props.environment,
      logstashHosts: props.logstash.beatsHosts,
      caCertificatePath: CA_PATH,
      ...(props.monitoringClusterUuid ? { monitoringClusterUuid: `\${${FILEBEAT_CLUSTER_UUID_VARIABLE}}` } : {}),
    }));
    const image = pulledImage(this, props.image ?? defaultImage('filebeat'));
    const registry = new Volume(this, 'registry', { name: `${namePrefix}-${FILEBEAT_ALIAS}-data`, labels: platformLabels(context) });

    const container = new Container(this, 'container', {
      name: `${namePrefix}-${FILEBEAT_ALIAS}`,
      image: image.imageId,
      hostname: FILEBEAT_ALIAS,
      ...(props.monitoringClusterUuid ? { env: [`${FILEBEAT_CLUSTER_UUID_VARIABLE}=${props.monitoringClusterUuid}`] } : {}),
      ...containerSettings(context, { aliases: [FILEBEAT_ALIAS], memoryMb, healthyWithinSeconds: 120, stopGraceSeconds: FILEBEAT_SHUTDOWN_TIMEOUT_SECONDS + 20 }),
      volumes: [
        { volumeName: props.logVolumeName, containerPath: LOG_ROOT, readOnly: true },
        { volumeName: registry.name, containerPath: FILEBEAT_DATA_DIR },
      ],
      upload: [
        // Filebeat runs as the image's own user and refuses a config writable by group or others; the config holds no secret.
        ...files.map((file) => ({ file: file.path, content: terraformLiteral(file.content), permissions: '0644' })),
        { file: CA_PATH, content: props.certificateAuthority.caCertificatePem, permissions: '0644' },
      ],
      healthcheck: elkHealthcheck(filebeatHealthcheckCommand(), '20s'),
      dependsOn: [...props.logstash.containers],
    });
    this.containers = [container];
  }
}
