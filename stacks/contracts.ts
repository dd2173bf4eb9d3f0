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
