import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { Container } from '@cdktf/provider-docker/lib/container/index.js';
import { Image, type ImageBuild } from '@cdktf/provider-docker/lib/image/index.js';
import { HEALTH_PATH, LOG_ROOT, serviceLogFile, type ServiceDeclaration } from '@platform/contract';
import { containerSettings, healthcheck } from './private/container-settings.js';
import { ValidationError, wholeNumberProp } from './private/validation.js';
import { defaultImage } from './images.js';
import type { PlatformContext } from './platform-context.js';

/** Root of this repository: the Docker build context of every service image. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The one Dockerfile every service image is built from (build arg SERVICE), relative to the repository root. */
export const SERVICE_DOCKERFILE = 'services/Dockerfile';

/**
 * Build context as Terraform sees it in a cdktf app at the repository root: Terraform runs in
 * `cdktf.out/stacks/<stack>/`, three levels below it (the app passes its own
 * PROJECT_DIR_FROM_STACK, stacks/working-directory.ts). A relative path keeps the synthesized
 * JSON free of machine-specific paths.
 */
export const DEFAULT_BUILD_CONTEXT = '../../..';

/**
 * The `dockerfile` attribute for a build context: the Dockerfile's path from Terraform's working
 * directory, like the context itself. Both of the provider's build paths resolve a relative
 * Dockerfile against the process's working directory, not against the context: the buildx path
 * mounts `filepath.Dir(dockerfile)` as given (docker/buildx v0.23.0 build/opt.go L420-428, the
 * version kreuzwerker/docker v3.6.2 links), the legacy path calls `filepath.Abs` on it (docker/cli
 * v28.1.1 cli/command/image/build/context.go L256-269, GetContextFromLocalDir).
 */
export function serviceDockerfilePath(buildContext: string): string {
  return posix.join(buildContext, SERVICE_DOCKERFILE);
}

/**
 * The buildx builder the provider builds with: the Docker daemon's own BuildKit. With `builder`
 * set, kreuzwerker/docker v3.6.2 builds through buildx as a library and streams the context over
 * a BuildKit session (internal/provider/resource_docker_image_funcs.go L34-75,
 * docker_buildx_build.go runBuild). Without it, it posts a tar to the Engine's /build endpoint,
 * which fails on the containerd image store (provider issue 534, moby issue 47717). The provider
 * initialises its docker CLI with `Hosts` = its own host (docker_cli.go L19), so the CLI's current
 * context is "default" (docker/cli v28.1.1 cli/command/cli.go L449-455, resolveContextName), and
 * buildx resolves the builder "default" to that context with the docker driver (docker/buildx
 * v0.23.0 store/storeutil/storeutil.go L74-106, builder/builder.go L230-258): the daemon the
 * provider talks to, with either image store. Any other context name would fail buildx's check
 * that a context-named builder is the current context (builder/builder.go L124-135).
 */
export const SERVICE_IMAGE_BUILDER = 'default';

/** `SHUTDOWN_TIMEOUT_MS`: how long a replica drains in-flight requests after SIGTERM before it exits anyway. */
export const SERVICE_SHUTDOWN_TIMEOUT_MS = 10_000;

/** Where a service container finds the CA its clients trust (its `TLS_CA_FILE`). */
export const SERVICE_CA_FILE = '/etc/platform/tls/ca.crt';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface FastifyServiceProps {
  /** The platform the service joins (names and network). */
  readonly context: PlatformContext;
  /** The service's catalog entry: name, port, database, the services it calls. */
  readonly service: ServiceDeclaration;
  /** `DATABASE_URL`: the service's own database, with its own role (see `Postgres.addDatabase`). */
  readonly databaseUrl: string;
  /** `REDIS_URL`: the service's own Redis ACL user (see `Redis.addUser`). */
  readonly redisUrl: string;
  /** `REDIS_KEY_PREFIX`: the prefix its Redis user is confined to (see `Redis.addUser`). */
  readonly redisKeyPrefix: string;
  /**
   * PEM of the CA the service's Postgres and Redis clients verify the servers against (the
   * platform CA). Uploaded to `SERVICE_CA_FILE` and named by `TLS_CA_FILE`.
   * @default none: the clients trust the image's system CAs
   */
  readonly caCertificatePem?: string;
  /** Docker volume mounted at `LOG_ROOT`; each replica writes one file in `serviceLogDir(name)`. */
  readonly logVolumeName: string;
  /** The services this one calls, by name; must include every target of `service.calls`. @default {} */
  readonly peers?: Readonly<Record<string, FastifyService>>;
  /** Containers that must be healthy before this service starts (Postgres, Redis). @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** `SERVICE_ENVIRONMENT`: the environment the service runs in, e.g. `dev`. */
  readonly environment: string;
  /** Number of containers. @default 1 */
  readonly replicas?: number;
  /** `LOG_LEVEL` (pino level). @default 'info' */
  readonly logLevel?: LogLevel;
  /** Memory limit per container in MiB. @default 256 */
  readonly memoryMb?: number;
  /** Docker build context, relative to the Terraform working directory. @default DEFAULT_BUILD_CONTEXT */
  readonly buildContext?: string;
  /** Build arguments of the service image (base image, npm registry). @default defaults of `ServiceBuildOptions` */
  readonly build?: ServiceBuildOptions;
  /**
   * Where the service exports its spans (OpenTelemetry's standard `OTEL_*` variables).
   * Export is best-effort: the service does not wait for the receiver, so no `dependsOn` on it.
   * @default none: no `OTEL_*` variable is set, and the service runs with tracing off
   */
  readonly tracing?: ServiceTracing;
}

/** A service's OTLP export: the receiver, its token and the sampling ratio. */
export interface ServiceTracing {
  /** `OTEL_EXPORTER_OTLP_ENDPOINT`: base URL of the OTLP/HTTP receiver, `https://...` (the SDK appends `/v1/traces`). */
  readonly endpoint: string;
  /** Bearer token the receiver requires, sent in `OTEL_EXPORTER_OTLP_HEADERS` (a Terraform reference, never a literal). */
  readonly secretToken: string;
  /** `OTEL_TRACES_SAMPLER_ARG`: share of new traces sampled, from 0 to 1; a caller's sampled `traceparent` is always followed. */
  readonly sampleRatio: number;
}

/** What a service image is built from besides its sources. */
export interface ServiceBuildOptions {
  /** `NODE_IMAGE`: the base image. @default defaultImage('node') */
  readonly nodeImage?: string;
  /** `NPM_REGISTRY`: where `npm ci` installs from. @default none: npm's default registry */
  readonly npmRegistry?: string;
}

/** The OpenTelemetry variables the platform sets on a traced service (OpenTelemetry's standard names). */
export const SERVICE_OTEL_VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_CERTIFICATE',
  'OTEL_SERVICE_NAME',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
] as const;

/**
 * The `OTEL_*` variables of one replica. The receiver's certificate is verified against the CA
 * file the service already gets (`SERVICE_CA_FILE`; the JS SDK's OTLP/HTTP exporters read
 * `OTEL_EXPORTER_OTLP_CERTIFICATE` since open-telemetry/opentelemetry-js PR 6015). The header
 * value is percent-encoded, as the OTLP exporter spec asks ("Specifying headers via environment
 * variables"); `Bearer%20<token>` decodes to `Bearer <token>` (@opentelemetry/core 2.12.1
 * baggage/utils.js parsePairKeyValue, decodeURIComponent). Parent-based ratio sampling: a trace
 * that a caller (or order-service, for user-service) sampled stays whole across services.
 */
export function serviceTracingEnv(scope: Construct, tracing: ServiceTracing, service: { name: string; alias: string; environment: string }): string[] {
  if (!Number.isFinite(tracing.sampleRatio) || tracing.sampleRatio < 0 || tracing.sampleRatio > 1) {
    throw new ValidationError(scope, `tracing.sampleRatio must be a number from 0 to 1 (got ${tracing.sampleRatio})`);
  }
  if (!Token.isUnresolved(tracing.endpoint) && !/^https:\/\/[a-z0-9.-]+(:\d{1,5})?$/.test(tracing.endpoint)) {
    throw new ValidationError(scope, `tracing.endpoint must be an https:// base URL without a path, such as "https://apm-server:8200" (got "${tracing.endpoint}")`);
  }
  if (!Token.isUnresolved(tracing.secretToken)) {
    throw new ValidationError(scope, 'tracing.secretToken is a literal; pass the generated token (a Terraform reference), never a typed-in secret');
  }
  return [
    `OTEL_EXPORTER_OTLP_ENDPOINT=${tracing.endpoint}`,
    'OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf',
    `OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20${tracing.secretToken}`,
    `OTEL_EXPORTER_OTLP_CERTIFICATE=${SERVICE_CA_FILE}`,
    `OTEL_SERVICE_NAME=${service.name}`,
    // APM Server maps `deployment.environment.name` to `service.environment`, Kibana's environment
    // filter (elastic/apm-data v1.22.0, the version apm-server v9.5.2 uses, input/otlp/metadata.go L70).
    `OTEL_RESOURCE_ATTRIBUTES=deployment.environment.name=${service.environment},service.instance.id=${service.alias}`,
    'OTEL_TRACES_SAMPLER=parentbased_traceidratio',
    `OTEL_TRACES_SAMPLER_ARG=${tracing.sampleRatio}`,
  ];
}

/** Files under `dir`, skipping installed dependencies and build output (not part of the sources). */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : listFiles(path);
    return entry.isFile() ? [path] : [];
  });
}

/**
 * SHA-256 over everything a service image is built from: its own directory, the contract and
 * shared service packages, the Dockerfile and the root npm manifests. Any edit changes it and so
 * rebuilds the image.
 */
export function hashServiceSources(serviceName: string, repoRoot: string = REPO_ROOT): string {
  const files = [
    ...listFiles(join(repoRoot, 'services', serviceName)),
    ...listFiles(join(repoRoot, 'services', 'contract')),
    ...listFiles(join(repoRoot, 'services', 'shared')),
    ...[SERVICE_DOCKERFILE, 'package.json', 'package-lock.json', '.dockerignore'].map((f) => join(repoRoot, f)).filter((f) => existsSync(f)),
  ].sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(repoRoot, file).split('\\').join('/')).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** The build args of a service image: which service, the base image and the npm registry. */
export function serviceBuildArgs(serviceName: string, options: ServiceBuildOptions = {}): Record<string, string> {
  return {
    SERVICE: serviceName,
    NODE_IMAGE: options.nodeImage ?? defaultImage('node'),
    ...(options.npmRegistry === undefined ? {} : { NPM_REGISTRY: options.npmRegistry }),
  };
}

/** JSON with object keys sorted, so equal values always give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * SHA-256 identifying one image build: the sources and the build settings (context, Dockerfile,
 * build args, ...). The image tag derives from it, so every change that replaces the image (the
 * provider makes `build_args`, `context` and `dockerfile` ForceNew) also gives it a new name:
 * with create-before-destroy, destroying the old image removes it by name (v3.6.2
 * resource_docker_image_funcs.go removeImage L163-193), which must not hit the new image.
 */
export function serviceImageHash(sourceHash: string, build: ImageBuild): string {
  return createHash('sha256').update(sourceHash).update('\0').update(canonicalJson(build)).digest('hex');
}

/**
 * A Fastify service from this repository: its image built locally from
 * `services/Dockerfile` (build arg SERVICE=<name>), run as `replicas` containers that share the service's
 * network alias (and each have their own, `<name>-<n>`), configured by the environment
 * variables of the service contract.
 */
export class FastifyService extends Construct {
  public readonly service: ServiceDeclaration;
  /** Base URL other containers call the service at (the shared alias). */
  public readonly url: string;
  /** `<name>-<n>` per replica: what nginx lists in the service's upstream. */
  public readonly replicaAliases: readonly string[];
  public readonly image: Image;
  public readonly containers: readonly Container[];

  constructor(scope: Construct, id: string, props: FastifyServiceProps) {
    super(scope, id);
    const { context, service } = props;
    this.service = service;
    // At least one container; how many an environment may run is the settings schema's rule.
    const replicas = wholeNumberProp(this, 'replicas', props.replicas, { default: 1, min: 1 });
    const memoryMb = wholeNumberProp(this, 'memoryMb', props.memoryMb, { default: 256, min: 64, unit: 'MiB' });
    const logLevel = props.logLevel ?? 'info';
    if (!LOG_LEVELS.includes(logLevel)) {
      throw new ValidationError(this, `logLevel must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
    }
    // What services/Dockerfile copies for SERVICE=<name>: checked at synth, not half-way through a deploy.
    const required = [SERVICE_DOCKERFILE, `services/${service.name}/package.json`, `services/${service.name}/migrations`];
    this.node.addValidation({
      validate: () =>
        required
          .filter((path) => !existsSync(join(REPO_ROOT, path)))
          .map((path) => `${this.node.path}: ${path} does not exist; the service image (${SERVICE_DOCKERFILE}, SERVICE=${service.name}) is built from it`),
    });

    const peerEnv: string[] = [];
    const peerContainers: Container[] = [];
    for (const [variable, target] of Object.entries(service.calls)) {
      const peer = props.peers?.[target];
      if (!peer) {
        throw new ValidationError(this, `peers.${target} is missing: "${service.name}" calls "${target}" (${variable}); pass that FastifyService`);
      }
      peerEnv.push(`${variable}=${peer.url}`);
      peerContainers.push(...peer.containers);
    }

    this.url = `http://${service.name}:${service.port}`;
    this.replicaAliases = Array.from({ length: replicas }, (_, i) => `${service.name}-${i + 1}`);

    if (props.tracing && props.caCertificatePem === undefined) {
      throw new ValidationError(this, 'tracing needs caCertificatePem: the service verifies the OTLP receiver\'s certificate against it');
    }
    const tracingEnv = (alias: string) =>
      props.tracing ? serviceTracingEnv(this, props.tracing, { name: service.name, alias, environment: props.environment }) : [];

    const buildContext = props.buildContext ?? DEFAULT_BUILD_CONTEXT;
    const build: ImageBuild = {
      builder: SERVICE_IMAGE_BUILDER,
      context: buildContext,
      dockerfile: serviceDockerfilePath(buildContext),
      buildArgs: serviceBuildArgs(service.name, props.build),
      // `label` (not `labels`): the buildx path maps only `label` (v3.6.2 docker_buildx_build.go L258-264).
      label: { 'io.platform.service': service.name },
    };
    const imageHash = serviceImageHash(hashServiceSources(service.name), build);
    this.image = new Image(this, 'image', {
      // An explicit, content-derived tag: pinned like every other image, new on every source or build change.
      name: `${context.namePrefix}-${service.name}:src-${imageHash.slice(0, 12)}`,
      buildAttribute: build,
      triggers: { build_sha256: imageHash },
      lifecycle: {
        // Build the new image before anything is destroyed: a failed build leaves the running
        // containers alone. The containers cannot do the same: their names are fixed
        // (`<prefix>-<alias>`), so a second container with the same name cannot exist next to the
        // old one, and they are replaced destroy-then-create once the new image exists.
        createBeforeDestroy: true,
      },
    });

    const probe = `fetch('http://127.0.0.1:${service.port}${HEALTH_PATH}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;
    this.containers = this.replicaAliases.map(
      (alias, i) =>
        new Container(this, `replica-${i + 1}`, {
          ...containerSettings(context, { aliases: [alias, service.name], memoryMb, healthyWithinSeconds: 120, stopGraceSeconds: SERVICE_SHUTDOWN_TIMEOUT_MS / 1000 + 5 }),
          name: `${context.namePrefix}-${alias}`,
          image: this.image.imageId,
          env: [
            `PORT=${service.port}`,
            'HOST=0.0.0.0',
            `DATABASE_URL=${props.databaseUrl}`,
            `REDIS_URL=${props.redisUrl}`,
            `REDIS_KEY_PREFIX=${props.redisKeyPrefix}`,
            ...(props.caCertificatePem === undefined ? [] : [`TLS_CA_FILE=${SERVICE_CA_FILE}`]),
            ...peerEnv,
            `LOG_LEVEL=${logLevel}`,
            `LOG_FILE=${serviceLogFile(service.name, alias)}`,
            `SERVICE_ENVIRONMENT=${props.environment}`,
            `SHUTDOWN_TIMEOUT_MS=${SERVICE_SHUTDOWN_TIMEOUT_MS}`,
            'NODE_ENV=production',
            ...tracingEnv(alias),
          ],
          mounts: [{ type: 'volume', source: props.logVolumeName, target: LOG_ROOT }],
          ...(props.caCertificatePem === undefined ? {} : { upload: [{ file: SERVICE_CA_FILE, content: props.caCertificatePem, permissions: '0644' }] }),
          // Node's own fetch: no curl or wget needed in the image.
          healthcheck: healthcheck(['CMD', 'node', '-e', probe], { startPeriod: '30s' }),
          dependsOn: [...(props.dependsOn ?? []), ...peerContainers],
        }),
    );
  }
}
