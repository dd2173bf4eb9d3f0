import type { RealmCredentials } from '../constructs/private/elastic-container.js';
import type { PlatformContext } from '../constructs/platform-context.js';
import type { CertificateAuthority } from '../constructs/security/index.js';
/**
 * What the `<env>-elastic` stack needs from the `<env>-platform` stack to reach
 * Elasticsearch and Kibana. The platform stack exposes one of these (values are
 * Terraform tokens of its resources; cdktf turns them into cross-stack outputs),
 * the elastic stack's provider configuration takes it; never literals.
 */
export interface ElasticConnection {
  /** Elasticsearch base URL as reached from the deploying machine, e.g. `https://127.0.0.1:9200`. */
  readonly elasticsearchEndpoint: string;
  /** Kibana base URL as reached from the deploying machine, e.g. `https://127.0.0.1:5601`. */
  readonly kibanaEndpoint: string;
  /** File-realm user the provisioner authenticates as. */
  readonly username: string;
  /** Its generated password (sensitive). */
  readonly password: string;
  /** PEM of the platform's private CA, when TLS is on; the provider verifies against it. */
  readonly caCertificatePem?: string;
}

/**
 * What the `<env>-ingest` stack (Logstash and Filebeat) needs from the `<env>-platform`
 * stack. Values are Terraform tokens of the platform's resources; cdktf turns them into
 * cross-stack outputs (sensitive ones included, marked sensitive).
 */
export interface IngestInputs {
  /** The private network and naming the shippers join. */
  readonly context: PlatformContext;
  /** The shared log volume the services and nginx write into. */
  readonly logVolumeName: string;
  /**
   * The platform CA: issues Logstash's Beats certificate (the certificate resources stay in
   * the platform stack, beside the CA key) and is what both shippers verify against.
   */
  readonly certificateAuthority: CertificateAuthority;
  /** The file-realm user limited to writing the log data streams. */
  readonly logsWriter: RealmCredentials;
  /** Every Elasticsearch node's URL inside the network. */
  readonly elasticsearchUrls: readonly string[];
  /** Kibana's URL inside the network (Metricbeat monitors it). */
  readonly kibanaUrl: string;
  /** The file-realm user Metricbeat collects and writes Stack Monitoring data as (Elastic's remote monitoring roles). */
  readonly monitoringUser: RealmCredentials;
  /** The file-realm user limited to writing the APM data streams. */
  readonly apmWriter: RealmCredentials;
  /**
   * The secret token the services send to APM Server (generated in the platform stack, beside
   * the services that carry it). Unset when `tracing.enabled` is false: no APM Server runs.
   */
  readonly apmSecretToken?: string;
}
