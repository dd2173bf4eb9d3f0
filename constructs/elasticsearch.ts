import { Container, type ContainerUpload } from '@cdktf/provider-docker/lib/container/index.js';
import { Volume } from '@cdktf/provider-docker/lib/volume/index.js';
import { Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { ValidationError, wholeNumberProp, type WholeNumberRule } from './private/validation.js';
import { SUPERUSER_PASSWORD_VARIABLE } from './security/roles.js';
import { oneShotContainerSettings } from './private/container-settings.js';
import {
  ELASTIC_PROCESS_USER,
  elasticContainerSettings,
  elkHealthcheck,
  tlsUploads,
  type RealmCredentials,
} from './private/elastic-container.js';
import type { CertificateAuthority } from './security/index.js';
import { defaultImage } from './images.js';
import { DEFAULT_BIND_ADDRESS, platformLabels, publishedHost, publishedIpAddresses, type PlatformContext } from './platform-context.js';
import { pulledImage } from './private/pulled-image.js';

/** The Elasticsearch file realm: the three files uploaded into every node at creation. */
export interface FileRealmFiles {
  /** `config/users`: `name:bcrypt-hash` lines. */
  readonly users: string;
  /** `config/users_roles`: `role:user1,user2` lines. */
  readonly usersRoles: string;
  /** `config/roles.yml`: the least-privilege role definitions. */
  readonly rolesYaml: string;
}

/**
 * JVM heap a node may get (MiB), and its default: below 256 it does not start reliably; above 31744
 * the JVM loses compressed object pointers. The settings schema derives `elasticsearch.heapMb` from it.
 */
export const ELASTICSEARCH_HEAP_MB = { min: 256, max: 31744, unit: 'MiB', default: 1024 } as const satisfies WholeNumberRule & { readonly default: number };

/** Memory limit of the snapshot volume's one-shot owner container (bash and a stat). */
const ONE_SHOT_MEMORY_MB = 64;

/** Elasticsearch HTTP port inside the network. */
export const ELASTICSEARCH_HTTP_PORT = 9200;
/**
 * Seconds a node gets to stop: on SIGTERM it stops indexing, flushes and closes its shards
 * and leaves the cluster; a kill mid-way costs translog recovery at the next start.
 */
export const ELASTICSEARCH_STOP_GRACE_SECONDS = 120;
/** Elasticsearch transport (node-to-node) port inside the network. */
export const ELASTICSEARCH_TRANSPORT_PORT = 9300;
/** Network alias every Elasticsearch node answers to; clients connect here. */
export const ELASTICSEARCH_ALIAS = 'elasticsearch';

const ES_HOME = '/usr/share/elasticsearch';
const ES_CONFIG = `${ES_HOME}/config`;
const ES_DATA = `${ES_HOME}/data`;
/**
 * The shared snapshot volume's mount point and the nodes' `path.repo`: a shared-filesystem
 * repository must be at (or under) a `path.repo` of every master and data node.
 */
export const ELASTICSEARCH_SNAPSHOT_PATH = `${ES_HOME}/snapshots`;
/** Name of the S3 client (`s3.client.<name>.*`) the nodes carry for an `s3` snapshot repository. */
export const SNAPSHOT_S3_CLIENT = 'platform';
/** Where the S3 keys are uploaded, read into the keystore at start-up, then deleted. */
const S3_KEY_UPLOADS = {
  [`s3.client.${SNAPSHOT_S3_CLIENT}.access_key`]: `${ES_CONFIG}/s3-access-key`,
  [`s3.client.${SNAPSHOT_S3_CLIENT}.secret_key`]: `${ES_CONFIG}/s3-secret-key`,
} as const;
/** Where the CA certificate lives in Elasticsearch containers. */
export const ELASTICSEARCH_CA_PATH = `${ES_CONFIG}/certs/ca.crt`;
const NODE_CERT_PATH = `${ES_CONFIG}/certs/node.crt`;
const NODE_KEY_PATH = `${ES_CONFIG}/certs/node.key`;
/** Environment variable that carries the healthcheck user's password into the node (read by the healthcheck at run time). */
const HEALTHCHECK_PASSWORD_VARIABLE = 'ES_HEALTHCHECK_PASSWORD';

export interface ElasticsearchProps {
  /** The platform this cluster joins (names and network). */
  readonly context: PlatformContext;
  /** Image every node runs. @default defaultImage('elasticsearch') (DEFAULT_ELASTIC_VERSION) */
  readonly image?: string;
  /** CA that issues every node's HTTP and transport certificate. */
  readonly certificateAuthority: CertificateAuthority;
  /** File-realm files uploaded into each node at creation. */
  readonly realmFiles: FileRealmFiles;
  /** Least-privilege user (cluster `monitor` only) the healthcheck authenticates as. */
  readonly healthcheckUser: RealmCredentials;
  /**
   * Generated password of the reserved `elastic` superuser (set on first start; used by no component).
   * @default none: the superuser keeps no password and cannot log in
   */
  readonly superuserPassword?: string;
  /**
   * Number of nodes: 1 (single-node discovery) or 3 (a real cluster, every node master-eligible).
   * @default 1
   */
  readonly nodes?: number;
  /**
   * JVM heap of each node in MiB; the container memory limit is twice this.
   * @default ELASTICSEARCH_HEAP_MB.default (1024)
   */
  readonly heapMb?: number;
  /**
   * Host port the first node's HTTP API is published on (on `bindAddress`).
   * @default ELASTICSEARCH_HTTP_PORT (9200)
   */
  readonly publishedPort?: number;
  /** Host address the first node is published on; its certificate is valid for it. @default DEFAULT_BIND_ADDRESS */
  readonly bindAddress?: string;
  /**
   * The S3 client (`s3.client.<SNAPSHOT_S3_CLIENT>`) every node carries for an `s3` snapshot repository:
   * endpoint and credentials, the latter put into each node's keystore at its first start.
   * @default none: snapshots go to the shared-filesystem volume only
   */
  readonly snapshotS3Client?: SnapshotS3Client;
}

/**
 * What the nodes need to reach an S3 bucket. The keys are secrets: Terraform references to
 * sensitive variables, never literals (the construct refuses literals).
 */
export interface SnapshotS3Client {
  /** Access key id. */
  readonly accessKey: string;
  /** Secret access key. */
  readonly secretKey: string;
  /** S3 service endpoint URL. @default AWS S3 */
  readonly endpoint?: string;
  /** Region requests are signed for. @default Elasticsearch works it out from the endpoint */
  readonly region?: string;
  /** Address the bucket in the URL path (most S3-compatible stores). @default false */
  readonly pathStyleAccess?: boolean;
}

/** One Elasticsearch node as declared. */
export interface ElasticsearchNode {
  /** `node.name`, also the node's network alias. */
  readonly name: string;
  readonly container: Container;
  /** `https://<node>:9200` inside the network. */
  readonly internalUrl: string;
}

/**
 * What a client inside the platform network takes from a cluster: where its nodes answer
 * and what to start after. Kibana consumes this, not the `Elasticsearch` construct, so any
 * cluster (or a test's stand-in) will do. The CA to verify the nodes against is the
 * client's own `CertificateAuthority` prop.
 */
export interface ElasticsearchCluster {
  /** Every node's own HTTPS URL on the private network, for clients that take a host list. */
  readonly internalUrls: readonly string[];
  /** The containers a client starts after (each turns healthy once its node serves). */
  readonly containers: readonly ITerraformDependable[];
}

/**
 * Elasticsearch, secured from the first start: file-realm users, HTTP and
 * transport TLS from the platform CA, memory locked, one data volume per node.
 * With `nodes: 3` it declares a three-node cluster (every node master-eligible,
 * seeded with each other); only the first node is published to the host.
 */
export class Elasticsearch extends Construct implements ElasticsearchCluster {
  /** The nodes, first one published. */
  readonly nodes: readonly ElasticsearchNode[];
  /** Every container, for `dependsOn`. */
  readonly containers: readonly Container[];
  /** `https://elasticsearch:9200`: the alias every node answers to. */
  readonly internalUrl: string;
  /** Every node's own URL, for clients that take a host list. */
  readonly internalUrls: readonly string[];
  /** URL of the published first node as reached from the Docker host, e.g. `https://127.0.0.1:9200`. */
  readonly publishedUrl: string;
  /** Container path of the CA certificate in the nodes. */
  readonly caPath = ELASTICSEARCH_CA_PATH;
  /** The snapshot repository volume every node mounts at `ELASTICSEARCH_SNAPSHOT_PATH`. */
  readonly snapshotVolume: Volume;
  /** The one-shot container that hands the fresh snapshot volume to the nodes' user (see `snapshotVolumeOwner`). */
  readonly snapshotVolumeOwner: Container;

  constructor(scope: Construct, id: string, props: ElasticsearchProps) {
    super(scope, id);
    const { context, context: { namePrefix } } = props;
    const bindAddress = props.bindAddress ?? DEFAULT_BIND_ADDRESS;
    const nodeCount = props.nodes ?? 1;
    if (nodeCount !== 1 && nodeCount !== 3) {
      throw new ValidationError(this, `nodes must be 1 (single node) or 3 (a three-node cluster) (got ${nodeCount})`);
    }
    const heapMb = wholeNumberProp(this, 'heapMb', props.heapMb, ELASTICSEARCH_HEAP_MB);
    // Which host ports an environment may use (unprivileged only) is the settings schema's rule.
    const publishedPort = wholeNumberProp(this, 'publishedPort', props.publishedPort, { default: ELASTICSEARCH_HTTP_PORT, min: 1, max: 65535 });

    const s3 = props.snapshotS3Client;
    if (s3 && (!Token.isUnresolved(s3.accessKey) || !Token.isUnresolved(s3.secretKey))) {
      throw new ValidationError(this, 'snapshotS3Client keys are literals; pass references to sensitive Terraform variables, never typed-in secrets');
    }

    const image = pulledImage(this, props.image ?? defaultImage('elasticsearch'));
    // One volume for the whole cluster: every node reads and writes the same repository.
    this.snapshotVolume = new Volume(this, 'snapshots', { name: `${namePrefix}-snapshots`, labels: platformLabels(context) });
    this.snapshotVolumeOwner = snapshotVolumeOwner(this, context, image.imageId, this.snapshotVolume.name);
    const nodeNames = Array.from({ length: nodeCount }, (_, i) => (nodeCount === 1 ? ELASTICSEARCH_ALIAS : `${ELASTICSEARCH_ALIAS}-${i + 1}`));
    const clusterName = namePrefix;

    this.nodes = nodeNames.map((nodeName, index) => {
      const containerName = `${namePrefix}-${nodeName}`;
      const aliases = nodeName === ELASTICSEARCH_ALIAS ? [ELASTICSEARCH_ALIAS] : [nodeName, ELASTICSEARCH_ALIAS];
      const published = index === 0;
      const certificate = props.certificateAuthority.issue(`${nodeName}-certificate`, {
        commonName: nodeName,
        dnsNames: [...aliases, containerName, 'localhost'],
        // The elastic stack reaches the published node through the bind address.
        ipAddresses: published ? publishedIpAddresses(bindAddress) : ['127.0.0.1'],
      });
      const volume = new Volume(this, `${nodeName}-data`, { name: `${namePrefix}-${nodeName}-data`, labels: platformLabels(context) });

      const container = new Container(this, nodeName, {
        name: containerName,
        image: image.imageId,
        hostname: nodeName,
        ...elasticContainerSettings(context, { aliases, memoryMb: heapMb * 2, stopGraceSeconds: ELASTICSEARCH_STOP_GRACE_SECONDS }),
        env: [
          ...elasticsearchEnvironment({ clusterName, nodeName, nodeNames, heapMb, healthcheckPassword: props.healthcheckUser.password }),
          ...(s3 ? s3ClientEnvironment(s3) : []),
          ...(props.superuserPassword === undefined ? [] : [`${SUPERUSER_PASSWORD_VARIABLE}=${props.superuserPassword}`]),
        ],
        ulimit: [
          // bootstrap.memory_lock needs an unlimited memlock; Lucene needs many open files.
          { name: 'memlock', soft: -1, hard: -1 },
          { name: 'nofile', soft: 65535, hard: 65535 },
        ],
        volumes: [
          { volumeName: volume.name, containerPath: ES_DATA },
          { volumeName: this.snapshotVolume.name, containerPath: ELASTICSEARCH_SNAPSHOT_PATH },
        ],
        // Not another node: the nodes must start together to elect a master.
        dependsOn: [this.snapshotVolumeOwner],
        ports: published ? [{ internal: ELASTICSEARCH_HTTP_PORT, external: publishedPort, ip: bindAddress }] : [],
        upload: [
          ...tlsUploads(
            { caCertificate: ELASTICSEARCH_CA_PATH, certificate: NODE_CERT_PATH, privateKey: NODE_KEY_PATH },
            props.certificateAuthority.caCertificatePem,
            certificate,
          ),
          ...realmUploads(props.realmFiles),
          ...(s3 ? s3KeyUploads(s3) : []),
        ],
        ...nodeCommand(nodeCount === 1 ? undefined : nodeNames, s3 !== undefined),
        healthcheck: elkHealthcheck(
          // Authenticated, CA-verified cluster health: yellow or better means this node has joined a cluster with a master.
          // The server-side wait stays under the healthcheck's own timeout. From then on the node starts without
          // cluster.initial_master_nodes (see bootstrapOnceCommand).
          `curl --silent --fail --cacert ${ELASTICSEARCH_CA_PATH} --user "${props.healthcheckUser.username}:$${HEALTHCHECK_PASSWORD_VARIABLE}" ` +
            `"https://localhost:${ELASTICSEARCH_HTTP_PORT}/_cluster/health?wait_for_status=yellow&timeout=2s"` +
            (nodeCount === 1 ? '' : ` && touch ${CLUSTER_FORMED_MARKER}`),
          '90s',
        ),
      });
      return { name: nodeName, container, internalUrl: `https://${nodeName}:${ELASTICSEARCH_HTTP_PORT}` };
    });

    this.containers = this.nodes.map((n) => n.container);
    this.internalUrl = `https://${ELASTICSEARCH_ALIAS}:${ELASTICSEARCH_HTTP_PORT}`;
    this.internalUrls = this.nodes.map((n) => n.internalUrl);
    this.publishedUrl = `https://${publishedHost(bindAddress)}:${publishedPort}`;
  }
}

interface NodeEnvironment {
  readonly clusterName: string;
  readonly nodeName: string;
  readonly nodeNames: readonly string[];
  readonly heapMb: number;
  readonly healthcheckPassword: string;
}

/** The node's settings; the official image turns dotted environment variables into settings. */
function elasticsearchEnvironment(env: NodeEnvironment): string[] {
  const discovery =
    env.nodeNames.length === 1
      ? ['discovery.type=single-node']
      : [
          // cluster.initial_master_nodes is not here: bootstrapOnceCommand passes it until the cluster has formed.
          `discovery.seed_hosts=${env.nodeNames.filter((n) => n !== env.nodeName).join(',')}`,
        ];
  const tls = (layer: 'http' | 'transport') => [
    `xpack.security.${layer}.ssl.enabled=true`,
    `xpack.security.${layer}.ssl.key=${NODE_KEY_PATH}`,
    `xpack.security.${layer}.ssl.certificate=${NODE_CERT_PATH}`,
    `xpack.security.${layer}.ssl.certificate_authorities=${ELASTICSEARCH_CA_PATH}`,
  ];
  return [
    `cluster.name=${env.clusterName}`,
    `node.name=${env.nodeName}`,
    // Peers connect to the publish host by this name, so full transport verification checks it against the node's certificate
    // (a bare container IP would not be in the certificate).
    `network.publish_host=${env.nodeName}`,
    ...discovery,
    'bootstrap.memory_lock=true',
    `ES_JAVA_OPTS=-Xms${env.heapMb}m -Xmx${env.heapMb}m`,
    'xpack.license.self_generated.type=basic',
    'xpack.security.enabled=true',
    ...tls('http'),
    ...tls('transport'),
    // Nodes prove who they are to each other: the peer's certificate must be issued by the CA and match its host name.
    'xpack.security.transport.ssl.verification_mode=full',
    `${HEALTHCHECK_PASSWORD_VARIABLE}=${env.healthcheckPassword}`,
    `path.repo=${ELASTICSEARCH_SNAPSHOT_PATH}`,
  ];
}

/**
 * The S3 client's non-secret settings, as node settings (reference/elasticsearch/configuration-reference/
 * s3-repository-settings: client settings go in elasticsearch.yml, here as the image's dotted variables).
 */
function s3ClientEnvironment(s3: SnapshotS3Client): string[] {
  const client = `s3.client.${SNAPSHOT_S3_CLIENT}`;
  return [
    ...(s3.endpoint === undefined ? [] : [`${client}.endpoint=${s3.endpoint}`]),
    ...(s3.region === undefined ? [] : [`${client}.region=${s3.region}`]),
    `${client}.path_style_access=${s3.pathStyleAccess ?? false}`,
  ];
}

/** The S3 keys as files readable by the node's group only (read into the keystore by `keystoreScript`). */
function s3KeyUploads(s3: SnapshotS3Client): ContainerUpload[] {
  const [accessKeyFile, secretKeyFile] = Object.values(S3_KEY_UPLOADS);
  return [
    { file: accessKeyFile!, content: s3.accessKey, permissions: '0640' },
    { file: secretKeyFile!, content: s3.secretKey, permissions: '0640' },
  ];
}

/**
 * Secure settings cannot be node settings or environment variables; they live in the
 * keystore (config/elasticsearch.keystore, in the container's own layer). The image's
 * entrypoint only adds `bootstrap.password` there (distribution/docker bin/docker-entrypoint.sh,
 * elastic/dockerfiles v9.2.4 elasticsearch/bin/docker-entrypoint.sh), so the start command adds
 * each uploaded key with `elasticsearch-keystore add --stdin --force` (reads the value from
 * stdin, replaces an existing entry) and deletes the file. A restart finds no file and keeps the
 * keystore; a new container gets the files uploaded again.
 */
function keystoreScript(): string {
  const keystore = `${ES_HOME}/bin/elasticsearch-keystore`;
  const adds = Object.entries(S3_KEY_UPLOADS).map(
    ([setting, file]) => `if [ -f ${file} ]; then ${keystore} add --stdin --force ${setting} < ${file} && rm -f ${file} || exit 1; fi; `,
  );
  return `[ -f ${ES_CONFIG}/elasticsearch.keystore ] || ${keystore} create || exit 1; ${adds.join('')}`;
}

/** The node's container command: the image's default unless it bootstraps a cluster or fills its keystore. */
function nodeCommand(clusterNodeNames: readonly string[] | undefined, fillKeystore: boolean): { command?: string[] } {
  if (clusterNodeNames === undefined && !fillKeystore) return {};
  const [shell, flag, script] = bootstrapOnceCommand(clusterNodeNames ?? []);
  const start = clusterNodeNames === undefined ? 'exec /usr/local/bin/docker-entrypoint.sh eswrapper' : script!;
  return { command: [shell!, flag!, (fillKeystore ? keystoreScript() : '') + start] };
}

/**
 * A fresh named volume is root-owned, and the nodes run as uid 1000, so they could not write
 * the repository. Docker gives an empty volume the ownership and mode of the directory it is
 * mounted over, when that directory exists in the image (moby container/container_unix.go
 * copyExistingContents: the volume is copied up from the image path). The image has no
 * snapshot directory, but its empty `data` directory is the nodes' user's (Dockerfile:
 * `chown elasticsearch ... data`, mode 0775). So this container, same image and user as the
 * nodes, no network, mounts the new volume over `data` once, checks the volume is now the
 * node user's and writable, and exits; the nodes start after it. Terraform waits for it to
 * exit (`attach`) and fails the apply unless it exited 0 (a postcondition), e.g. when an old
 * root-owned volume that is not empty is reused.
 */
function snapshotVolumeOwner(scope: Construct, context: PlatformContext, imageId: string, volumeName: string): Container {
  return new Container(scope, 'snapshots-owner', {
    name: `${context.namePrefix}-snapshots-owner`,
    image: imageId,
    ...oneShotContainerSettings(context, { memoryMb: ONE_SHOT_MEMORY_MB }),
    user: ELASTIC_PROCESS_USER,
    volumes: [{ volumeName, containerPath: ES_DATA }],
    command: ['/bin/bash', '-c', `test "$(stat -c %u ${ES_DATA})" = 1000 && test -w ${ES_DATA}`],
    lifecycle: {
      postcondition: [
        {
          condition: '${self.exit_code == 0}',
          errorMessage: `The snapshot volume ${volumeName} is not writable by the Elasticsearch user (uid 1000): it is not empty and was created root-owned. Remove it (docker volume rm ${volumeName}) or chown it to 1000:0, then apply again.`,
        },
      ],
    },
  });
}

/**
 * Written into the data volume by the healthcheck once this node is part of a formed cluster
 * (cluster health answers yellow or better); it lives and dies with the node's data.
 */
export const CLUSTER_FORMED_MARKER = `${ES_HOME}/data/.platform-cluster-formed`;

/**
 * The container command of a multi-node cluster's node: start the image's own entrypoint
 * (`eswrapper`), with `cluster.initial_master_nodes` only while the node has never seen its
 * cluster formed. Elastic: remove the setting once the cluster has formed for the first time,
 * or a later misconfiguration may bootstrap a second cluster over the same data
 * (reference/elasticsearch/configuration-reference/discovery-cluster-formation-settings).
 *
 * How the image runs it (elastic/elasticsearch distribution/docker/src/docker:
 * dockerfiles/default/Dockerfile `ENTRYPOINT ["/bin/tini", "--", "/usr/local/bin/docker-entrypoint.sh"]`,
 * `CMD ["eswrapper"]`; bin/docker-entrypoint.sh): a first argument other than `eswrapper` is
 * exec'd as is, and `eswrapper` turns dotted environment variables into `-E` options. Bash
 * cannot export a dotted name, so `env` sets it for the exec'd entrypoint. tini stays PID 1.
 */
export function bootstrapOnceCommand(nodeNames: readonly string[]): string[] {
  const script =
    `if [ ! -e ${CLUSTER_FORMED_MARKER} ]; then set -- env cluster.initial_master_nodes=${nodeNames.join(',')}; fi; ` +
    'exec "$@" /usr/local/bin/docker-entrypoint.sh eswrapper';
  return ['/bin/bash', '-c', script];
}

function realmUploads(files: FileRealmFiles): ContainerUpload[] {
  return [
    { file: `${ES_CONFIG}/users`, content: files.users, permissions: '0640' },
    { file: `${ES_CONFIG}/users_roles`, content: files.usersRoles, permissions: '0640' },
    { file: `${ES_CONFIG}/roles.yml`, content: files.rolesYaml, permissions: '0640' },
  ];
}
