import { Container } from '@cdktf/provider-docker/lib/container/index.js';
import { Password } from '@cdktf/provider-random/lib/password/index.js';
import { RandomProvider } from '@cdktf/provider-random/lib/provider/index.js';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import {
  elasticContainerSettings,
  elkHealthcheck,
  tlsUploads,
  type RealmCredentials,
} from './private/elastic-container.js';
import type { CertificateAuthority } from './security/index.js';
import type { ElasticsearchCluster } from './elasticsearch.js';
import { terraformLiteral } from './private/terraform-literal.js';
import { defaultImage } from './images.js';
import { DEFAULT_BIND_ADDRESS, publishedHost, publishedIpAddresses, type PlatformContext } from './platform-context.js';
import { pulledImage } from './private/pulled-image.js';
import { ensureProvider } from './security/providers.js';
import { wholeNumberProp, type WholeNumberRule } from './private/validation.js';

/** Kibana's port inside the network. */
export const KIBANA_PORT = 5601;
/** Kibana's own bound on a graceful stop (`server.shutdownTimeout`, written into kibana.yml). */
export const KIBANA_SHUTDOWN_TIMEOUT_SECONDS = 30;
/** Network alias of the Kibana container. */
export const KIBANA_ALIAS = 'kibana';

const KIBANA_CONFIG = '/usr/share/kibana/config';
const CA_PATH = `${KIBANA_CONFIG}/certs/ca.crt`;
const SERVER_CERT_PATH = `${KIBANA_CONFIG}/certs/kibana.crt`;
const SERVER_KEY_PATH = `${KIBANA_CONFIG}/certs/kibana.key`;

/**
 * Environment variables that carry secrets into Kibana; kibana.yml refers to
 * them as `${NAME}`, so the uploaded file itself holds no secret.
 */
const SECRET_VARIABLES = {
  elasticsearchUsername: 'KIBANA_ELASTICSEARCH_USERNAME',
  elasticsearchPassword: 'KIBANA_ELASTICSEARCH_PASSWORD',
  encryptedSavedObjectsKey: 'KIBANA_ENCRYPTED_SAVED_OBJECTS_KEY',
  reportingKey: 'KIBANA_REPORTING_KEY',
  securityKey: 'KIBANA_SECURITY_KEY',
} as const;

/** Memory Kibana's container may get (MiB), and its default; the settings schema derives `kibana.memoryMb` from it. */
export const KIBANA_MEMORY_MB = { min: 512, max: 8192, unit: 'MiB', default: 1024 } as const satisfies WholeNumberRule & { readonly default: number };

/** Length of the generated encryption keys (Kibana requires at least 32 characters). */
const ENCRYPTION_KEY_LENGTH = 48;

export interface KibanaProps {
  /** The platform Kibana joins (names and network). */
  readonly context: PlatformContext;
  /** Image to run. @default defaultImage('kibana') (DEFAULT_ELASTIC_VERSION) */
  readonly image?: string;
  /** The cluster Kibana stores its state in; Kibana starts after every node is healthy. */
  readonly elasticsearch: ElasticsearchCluster;
  /** CA that issues Kibana's server certificate and that Kibana verifies Elasticsearch against. */
  readonly certificateAuthority: CertificateAuthority;
  /** The file-realm user with the `kibana_system` role Kibana connects as. */
  readonly kibanaSystemUser: RealmCredentials;
  /**
   * Memory limit of the container (MiB).
   * @default KIBANA_MEMORY_MB.default (1024)
   */
  readonly memoryMb?: number;
  /**
   * Host port Kibana is published on (on `bindAddress`).
   * @default KIBANA_PORT (5601)
   */
  readonly publishedPort?: number;
  /** Host address Kibana is published on; its certificate is valid for it. @default DEFAULT_BIND_ADDRESS */
  readonly bindAddress?: string;
}

/**
 * Kibana over HTTPS with a certificate from the platform CA, connected to
 * Elasticsearch as its own system user (CA-verified), with generated
 * encryption keys for saved objects, reporting and sessions.
 */
export class Kibana extends Construct {
  /** Every container, for `dependsOn`. */
  readonly containers: readonly Container[];
  /** `https://kibana:5601` inside the network. */
  readonly internalUrl = `https://${KIBANA_ALIAS}:${KIBANA_PORT}`;
  /** URL a user opens, e.g. `https://127.0.0.1:5601`. */
  readonly publishedUrl: string;

  constructor(scope: Construct, id: string, props: KibanaProps) {
    super(scope, id);
    const { context, context: { namePrefix } } = props;
    const bindAddress = props.bindAddress ?? DEFAULT_BIND_ADDRESS;
    const memoryMb = wholeNumberProp(this, 'memoryMb', props.memoryMb, KIBANA_MEMORY_MB);
    // Which host ports an environment may use (unprivileged only) is the settings schema's rule.
    const publishedPort = wholeNumberProp(this, 'publishedPort', props.publishedPort, { default: KIBANA_PORT, min: 1, max: 65535 });
    this.publishedUrl = `https://${publishedHost(bindAddress)}:${publishedPort}`;

    ensureProvider(this, 'random', (stack) => new RandomProvider(stack, 'random'));
    const encryptionKey = (keyId: string) =>
      new Password(this, keyId, { length: ENCRYPTION_KEY_LENGTH, special: false }).result;

    const containerName = `${namePrefix}-${KIBANA_ALIAS}`;
    const certificate = props.certificateAuthority.issue('kibana-certificate', {
      commonName: KIBANA_ALIAS,
      dnsNames: [KIBANA_ALIAS, containerName, 'localhost'],
      ipAddresses: publishedIpAddresses(bindAddress),
    });
    const image = pulledImage(this, props.image ?? defaultImage('kibana'));

    const container = new Container(this, 'container', {
      name: containerName,
      image: image.imageId,
      hostname: KIBANA_ALIAS,
      ...elasticContainerSettings(context, { aliases: [KIBANA_ALIAS], memoryMb, stopGraceSeconds: KIBANA_SHUTDOWN_TIMEOUT_SECONDS + 15 }),
      ports: [{ internal: KIBANA_PORT, external: publishedPort, ip: bindAddress }],
      env: [
        `${SECRET_VARIABLES.elasticsearchUsername}=${props.kibanaSystemUser.username}`,
        `${SECRET_VARIABLES.elasticsearchPassword}=${props.kibanaSystemUser.password}`,
        `${SECRET_VARIABLES.encryptedSavedObjectsKey}=${encryptionKey('encrypted-saved-objects-key')}`,
        `${SECRET_VARIABLES.reportingKey}=${encryptionKey('reporting-key')}`,
        `${SECRET_VARIABLES.securityKey}=${encryptionKey('security-key')}`,
        // Node's heap stays below the container limit, leaving room for native memory.
        `NODE_OPTIONS=--max-old-space-size=${Math.floor(memoryMb * 0.75)}`,
      ],
      upload: [
        {
          file: `${KIBANA_CONFIG}/kibana.yml`,
          content: terraformLiteral(
            renderKibanaYaml({
              elasticsearchHosts: props.elasticsearch.internalUrls,
              publicBaseUrl: this.publishedUrl,
            }),
          ),
          permissions: '0644',
        },
        ...tlsUploads(
          { caCertificate: CA_PATH, certificate: SERVER_CERT_PATH, privateKey: SERVER_KEY_PATH },
          props.certificateAuthority.caCertificatePem,
          certificate,
        ),
      ],
      healthcheck: elkHealthcheck(
        // /api/status answers 503 until Kibana is available; anonymous callers get only the overall level.
        `curl --silent --fail --output /dev/null --cacert ${CA_PATH} https://localhost:${KIBANA_PORT}/api/status`,
        '120s',
      ),
      dependsOn: [...props.elasticsearch.containers],
    });
    this.containers = [container];
  }
}

interface KibanaYamlInput {
  readonly elasticsearchHosts: readonly string[];
  readonly publicBaseUrl: string;
}

/** kibana.yml; credentials and keys are `${VAR}` references Kibana resolves from its environment. */
export function renderKibanaYaml(input: KibanaYamlInput): string {
  const settings = {
    'server.name': KIBANA_ALIAS,
    'server.host': '0.0.0.0',
    'server.port': KIBANA_PORT,
    'server.publicBaseUrl': input.publicBaseUrl,
    'server.ssl.enabled': true,
    'server.ssl.certificate': SERVER_CERT_PATH,
    'server.ssl.key': SERVER_KEY_PATH,
    'elasticsearch.hosts': [...input.elasticsearchHosts],
    'elasticsearch.username': `\${${SECRET_VARIABLES.elasticsearchUsername}}`,
    'elasticsearch.password': `\${${SECRET_VARIABLES.elasticsearchPassword}}`,
    'elasticsearch.ssl.certificateAuthorities': [CA_PATH],
    'elasticsearch.ssl.verificationMode': 'full',
    'xpack.encryptedSavedObjects.encryptionKey': `\${${SECRET_VARIABLES.encryptedSavedObjectsKey}}`,
    'xpack.reporting.encryptionKey': `\${${SECRET_VARIABLES.reportingKey}}`,
    'xpack.security.encryptionKey': `\${${SECRET_VARIABLES.securityKey}}`,
    'server.shutdownTimeout': `${KIBANA_SHUTDOWN_TIMEOUT_SECONDS}s`,
    // Stack Monitoring: Metricbeat collects Kibana's metrics (its kibana module), so Kibana's own
    // legacy collection stays off, as Elastic's Metricbeat setup for Kibana asks; and the page
    // reads this cluster's .monitoring-* only, with no cross-cluster search of `*:.monitoring-*`
    // (no remote clusters exist). Kibana docs, "Monitoring settings in Kibana":
    // monitoring.kibana.collection.enabled and monitoring.ui.ccs.enabled, both true by default.
    'monitoring.kibana.collection.enabled': false,
    'monitoring.ui.ccs.enabled': false,
  };
  return `# Generated by the Kibana construct; secrets come from the environment.\n${stringify(settings)}`;
}
