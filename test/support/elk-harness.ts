import { DockerProvider } from '@cdktf/provider-docker/lib/provider/index.js';
import { Network } from '@cdktf/provider-docker/lib/network/index.js';
import { Volume } from '@cdktf/provider-docker/lib/volume/index.js';
import { RandomProvider } from '@cdktf/provider-random/lib/provider/index.js';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider/index.js';
import { TerraformStack, Testing } from 'cdktf';
import { Elasticsearch, type ElasticsearchProps } from '../../constructs/elasticsearch.js';
import { Filebeat, type FilebeatProps } from '../../constructs/filebeat.js';
import { Kibana, type KibanaProps } from '../../constructs/kibana.js';
import { Logstash, type LogstashProps } from '../../constructs/logstash.js';
import { Metricbeat, type MetricbeatProps } from '../../constructs/metricbeat.js';
import type { PlatformContext } from '../../constructs/platform-context.js';
import { elasticsearchProps, fileRealmSettings, filebeatProps, kibanaProps, logstashProps, metricbeatProps } from '../../stacks/component-props.js';
import type { IngestInputs } from '../../stacks/contracts.js';
import { ElasticFileRealm, PlatformPki } from '../../constructs/security/index.js';
import { ENVIRONMENTS, namePrefixOf, resolveEnvironmentConfig, type EnvironmentSettings } from '../../stacks/config/index.js';

/** A docker_container block as synthesized (snake_case attribute names). */
export interface SynthContainer {
  name: string;
  image: string;
  env?: string[];
  memory?: number;
  user?: string;
  wait?: boolean;
  wait_timeout?: number;
  hostname?: string;
  command?: string[];
  ulimit?: { name: string; soft: number; hard: number }[];
  ports?: { internal: number; external?: number; ip?: string }[];
  volumes?: { volume_name: string; container_path: string; read_only?: boolean }[];
  upload?: { file: string; content: string; permissions?: string }[];
  healthcheck?: { test: string[]; start_period?: string };
  networks_advanced?: { name: string; aliases?: string[] }[];
  depends_on?: string[];
  log_driver?: string;
  log_opts?: Record<string, string>;
}

export interface SynthStack {
  resource: Record<string, Record<string, Record<string, unknown>>>;
}

export interface SynthElkOptions {
  /** Environment name. Default `dev`. */
  readonly environment?: string;
  /** Settings of the environment. Default: the shipped settings of `environment`. */
  readonly settings?: EnvironmentSettings;
  /** Prop overrides per construct (to reach the constructs' own validation). */
  readonly elasticsearch?: Partial<ElasticsearchProps>;
  readonly kibana?: Partial<KibanaProps>;
  readonly logstash?: Partial<LogstashProps>;
  readonly filebeat?: Partial<FilebeatProps>;
  readonly metricbeat?: Partial<MetricbeatProps>;
}

/**
 * A minimal platform around the ELK constructs: docker, random and tls
 * providers, a network, a shared log volume, the security helper's PKI and file
 * realm, and the five constructs wired as the platform and ingest stacks wire them.
 */
export function synthElk(options: SynthElkOptions = {}) {
  const environment = options.environment ?? 'dev';
  const shipped = (ENVIRONMENTS as Record<string, EnvironmentSettings>)[environment] ?? {};
  const config = resolveEnvironmentConfig(environment, options.settings ?? shipped);
  const app = Testing.app();
  const stack = new TerraformStack(app, 'elk-test');
  new DockerProvider(stack, 'docker', {});
  new RandomProvider(stack, 'random', {});
  new TlsProvider(stack, 'tls', {});
  const namePrefix = namePrefixOf(config);
  const network = new Network(stack, 'network', { name: `${namePrefix}-net`, internal: false });
  const logs = new Volume(stack, 'logs', { name: `${namePrefix}-logs` });
  const context: PlatformContext = { namePrefix, networkName: network.name };

  const pki = new PlatformPki(stack, 'pki', { context });
  const realm = new ElasticFileRealm(stack, 'realm', fileRealmSettings(config));
  const elasticWiring = { context, certificateAuthority: pki, realm };
  const elasticsearch = new Elasticsearch(stack, 'elasticsearch', { ...elasticsearchProps(config, elasticWiring), ...options.elasticsearch });
  const kibana = new Kibana(stack, 'kibana', { ...kibanaProps(config, elasticWiring, elasticsearch), ...options.kibana });
  const ingestInputs: IngestInputs = {
    context,
    logVolumeName: logs.name,
    certificateAuthority: pki,
    logsWriter: realm.logstashWriter,
    elasticsearchUrls: elasticsearch.internalUrls,
    kibanaUrl: kibana.internalUrl,
    monitoringUser: realm.monitoring,
    apmWriter: realm.apmWriter,
  };
  const logstash = new Logstash(stack, 'logstash', { ...logstashProps(config, ingestInputs, ['logs-user-service-dev']), ...options.logstash });
  const filebeat = new Filebeat(stack, 'filebeat', { ...filebeatProps(config, ingestInputs, logstash), ...options.filebeat });
  const metricbeat = new Metricbeat(stack, 'metricbeat', { ...metricbeatProps(config, ingestInputs, logstash, filebeat), ...options.metricbeat });

  const json = Testing.synth(stack);
  const synthesized = JSON.parse(json) as SynthStack;
  return { config, context, json, synthesized, elasticsearch, kibana, logstash, filebeat, metricbeat, realm };
}

/** Every resource of one type, by its logical id. */
export function resourcesOf<T = Record<string, unknown>>(synthesized: SynthStack, type: string): Record<string, T> {
  return (synthesized.resource[type] ?? {}) as Record<string, T>;
}

/** The docker_container whose `name` attribute is `name`; fails naming the containers there are. */
export function containerNamed(synthesized: SynthStack, name: string): SynthContainer {
  const containers = Object.values(resourcesOf<SynthContainer>(synthesized, 'docker_container'));
  const found = containers.find((c) => c.name === name);
  if (!found) throw new Error(`no container "${name}"; containers: ${containers.map((c) => c.name).join(', ')}`);
  return found;
}

/** The upload going to `file` in `container`; fails naming the uploaded files. */
export function uploadOf(container: SynthContainer, file: string): { file: string; content: string; permissions?: string } {
  const found = (container.upload ?? []).find((u) => u.file === file);
  if (!found) throw new Error(`${container.name} uploads no ${file}; uploads: ${(container.upload ?? []).map((u) => u.file).join(', ')}`);
  return found;
}

/** Environment of a container as a map. */
export function envOf(container: SynthContainer): Map<string, string> {
  return new Map((container.env ?? []).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

/** What a program inside the container reads from an upload Terraform escaped (`$${` -> `${`, `%%{` -> `%{`). */
export function asUploaded(terraformString: string): string {
  return terraformString.replace(/\$\$\{/g, () => '${').replace(/%%\{/g, () => '%{');
}

/** `${type.name.attribute}`: a Terraform reference, i.e. a value unknown until apply. */
export function isReferenceTo(value: string, type: string, attribute?: string): boolean {
  return new RegExp(`^\\$\\{${type}\\.[A-Za-z0-9_-]+\\.${attribute ?? '[a-z0-9_]+'}\\}$`).test(value);
}
