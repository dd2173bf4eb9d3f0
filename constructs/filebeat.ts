import { Container } from '@cdktf/provider-docker/lib/container/index.js';
import { Volume } from '@cdktf/provider-docker/lib/volume/index.js';
import { Construct } from 'constructs';
import { FILEBEAT_CONFIG_PATH, FILEBEAT_DATA_DIR, FILEBEAT_SHUTDOWN_TIMEOUT_SECONDS, filebeatFiles } from '../pipelines/index.js';
import { LOG_ROOT, SERVICES, type ServiceDeclaration } from '@platform/contract';
import { ConfigError } from '../stacks/config/index.js';
import { containerSettings } from './container-settings.js';
import { elkHealthcheck, requireMiB } from './elastic-container.js';
import type { CertificateAuthority } from './security/index.js';
import type { Logstash } from './logstash.js';
import { platformLabels, pulledImage, type PlatformContext } from './platform-context.js';
import { terraformLiteral } from './terraform-literal.js';

/** Network alias of the Filebeat container. */
export const FILEBEAT_ALIAS = 'filebeat';

const CA_PATH = '/usr/share/filebeat/certs/ca.crt';
/** The binary in the official image (its working directory and PATH entry is /usr/share/filebeat). */
const FILEBEAT_BINARY = '/usr/share/filebeat/filebeat';

/**
 * Healthy only while the hop to Logstash works: `filebeat test output` dials every Logstash
 * host and completes the TLS handshake with the configured verification, so an untrusted or
 * mismatched certificate fails the check, and the message names the hop. Filebeat's own
 * binary: no curl needed in the image (some 9.4.x images shipped without it).
 */
export function filebeatHealthcheckCommand(): string {
  return (
    `${FILEBEAT_BINARY} test output -c ${FILEBEAT_CONFIG_PATH} --path.data /tmp/filebeat-healthcheck > /tmp/filebeat-healthcheck.log 2>&1 ` +
    `|| { echo 'filebeat -> logstash: connection or TLS handshake failed:'; tail -n 5 /tmp/filebeat-healthcheck.log; exit 1; }`
  );
}

export interface FilebeatProps {
  /** The platform Filebeat joins. */
  readonly context: PlatformContext;
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
}

/**
 * Filebeat shipping every service's and nginx's log files from the shared log
 * volume (read-only) to Logstash over TLS verified against the platform CA.
 * Its registry lives on its own volume, so a restart neither loses nor repeats lines.
 */
export class Filebeat extends Construct {
  readonly container: Container;
  /** Every container, for `dependsOn`. */
  readonly containers: readonly Container[];

  constructor(scope: Construct, id: string, props: FilebeatProps) {
    super(scope, id);
    const { context } = props;
    const { config, namePrefix } = context;
    const memoryMb = props.memoryMb ?? 256;
    requireMiB('Filebeat', 'memoryMb', memoryMb, 64, 4096);
    if (!props.logVolumeName) {
      throw new ConfigError('Filebeat setting "logVolumeName" is empty: give the shared log volume the services write into');
    }

    const files = filebeatFiles({
      services: props.services ?? SERVICES,
      environment: config.environment,
      logstashHosts: props.logstash.beatsHosts,
      caCertificatePath: CA_PATH,
    });
    const image = pulledImage(this, context, 'filebeat');
    const registry = new Volume(this, 'registry', { name: `${namePrefix}-${FILEBEAT_ALIAS}-data`, labels: platformLabels(context) });

    this.container = new Container(this, 'container', {
      name: `${namePrefix}-${FILEBEAT_ALIAS}`,
      image: image.imageId,
      hostname: FILEBEAT_ALIAS,
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
    this.containers = [this.container];
  }
}
