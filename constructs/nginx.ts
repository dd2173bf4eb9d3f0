import { Construct } from 'constructs';
import { Container } from '@cdktf/provider-docker/lib/container/index.js';
import { LOG_ROOT, NGINX_LOG_DIR } from '@platform/contract';
import type { FastifyService } from './fastify-service.js';
import { NGINX_DEFAULT_LISTEN_PORT, NGINX_HEALTH_PATH, NGINX_WORKER_SHUTDOWN_SECONDS, renderNginxConfig } from './nginx-config.js';
import { containerSettings, shellHealthcheck } from './private/container-settings.js';
import { ValidationError, reportedAt, wholeNumberProp } from './private/validation.js';
import { DEFAULT_BIND_ADDRESS, publishedHost, type PlatformContext } from './platform-context.js';
import { componentBasics } from './private/component.js';

export interface NginxProps {
  /** The platform nginx joins (names and network). */
  readonly context: PlatformContext;
  /** Image to run. @default defaultImage('nginx') */
  readonly image?: string;
  /** Host address the entry point is published on. @default DEFAULT_BIND_ADDRESS */
  readonly bindAddress?: string;
  /** Host port the entry point is published on. @default NGINX_DEFAULT_LISTEN_PORT (8080) */
  readonly publishedPort?: number;
  /** The services nginx routes to, each at its catalog `routePrefix`. */
  readonly services: readonly FastifyService[];
  /** Docker volume mounted at `LOG_ROOT`; nginx writes into `NGINX_LOG_DIR` there. */
  readonly logVolumeName: string;
  /** Network alias. @default 'nginx' */
  readonly alias?: string;
  /** Container memory limit in MiB. @default 128 */
  readonly memoryMb?: number;
  /** Largest request body accepted. @default '1m' */
  readonly clientMaxBodySize?: string;
  /** Sustained requests per second per client address. @default 20 */
  readonly ratePerSecond?: number;
  /** Requests per client above the rate let through at once before 429s. @default 40 */
  readonly burst?: number;
}

export const NGINX_CONFIG_PATH = '/etc/nginx/nginx.conf';

/**
 * The platform's entry point: nginx routing each service's prefix to every replica,
 * published on `bindAddress:publishedPort` only.
 */
export class Nginx extends Construct {
  public readonly alias: string;
  public readonly container: Container;
  /** The generated nginx.conf (uploaded into the container). */
  public readonly configText: string;
  /** What a user opens: `http://<bindAddress>:<port>`. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: NginxProps) {
    super(scope, id);
    const { context } = props;
    const { alias, memoryMb, image } = componentBasics(this, 'nginx', props, { default: 128, min: 32 });
    this.alias = alias;
    if (props.services.length === 0) throw new ValidationError(this, 'services must list at least one service to route to');

    this.configText = reportedAt(this, () => renderNginxConfig({
      routes: props.services.map((s) => ({
        service: s.service.name,
        routePrefix: s.service.routePrefix,
        servers: s.replicaAliases.map((alias) => `${alias}:${s.service.port}`),
      })),
      listenPort: NGINX_DEFAULT_LISTEN_PORT,
      clientMaxBodySize: props.clientMaxBodySize,
      ratePerSecond: props.ratePerSecond,
      burst: props.burst,
    }));
    const bindAddress = props.bindAddress ?? DEFAULT_BIND_ADDRESS;
    const publishedPort = wholeNumberProp(this, 'publishedPort', props.publishedPort, { default: NGINX_DEFAULT_LISTEN_PORT, min: 1, max: 65535 });
    this.url = `http://${publishedHost(bindAddress)}:${publishedPort}`;
    const probeUrl = `http://127.0.0.1:${NGINX_DEFAULT_LISTEN_PORT}${NGINX_HEALTH_PATH}`;

    const upstreamContainers = props.services.flatMap((s) => s.containers);
    this.container = new Container(this, 'container', {
      ...containerSettings(context, { aliases: [this.alias], memoryMb, stopGraceSeconds: NGINX_WORKER_SHUTDOWN_SECONDS + 5 }),
      name: `${context.namePrefix}-nginx`,
      image: image.imageId,
      // The log directory lives on the shared volume, which starts empty; nginx does not create it.
      command: ['sh', '-c', `mkdir -p ${NGINX_LOG_DIR} && exec nginx -g 'daemon off;'`],
      ports: [{ internal: NGINX_DEFAULT_LISTEN_PORT, external: publishedPort, ip: bindAddress, protocol: 'tcp' }],
      mounts: [{ type: 'volume', source: props.logVolumeName, target: LOG_ROOT }],
      upload: [{ file: NGINX_CONFIG_PATH, content: this.configText, permissions: '0644' }],
      // Alpine images carry busybox wget, Debian ones curl: either answers for an overridden image.
      healthcheck: shellHealthcheck(`wget -q -O /dev/null ${probeUrl} || curl -fsS -o /dev/null ${probeUrl}`, { startPeriod: '10s' }),
      // Started after its upstreams only for a clean first deploy: it re-resolves their names at
      // run time (the config's `resolver`), so a replaced service container needs no new nginx.
      dependsOn: upstreamContainers,
    });
  }
}
