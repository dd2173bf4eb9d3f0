import { publishedHost } from '../../../constructs/platform-context.js';
import { describeEndpoint, dockerEndpoint, isThisMachine, remoteDockerHost } from '../docker-api.js';
import { fail, pass, skip, type CheckContext, type CheckResult } from '../types.js';

const NAME = 'Elastic connection';

/**
 * The elastic stack's Terraform runs on this machine and connects to Elasticsearch and Kibana
 * at https://<publishedHost(config.bindAddress)>:<port> (constructs/elasticsearch.ts and kibana.ts
 * `publishedUrl`), where the platform publishes them: on `bindAddress` of the Docker host.
 * With a remote Docker host that works only when bindAddress is an address of that host
 * which this machine reaches; loopback and 0.0.0.0 (which the connection turns into
 * 127.0.0.1) would point at this machine instead.
 */
export function checkElasticConnection({ config, host }: CheckContext): CheckResult {
  const endpoint = dockerEndpoint(host.env, host.homeDir);
  if (endpoint.kind === 'unsupported') return skip(NAME, 'needs a usable Docker endpoint (see the Docker daemon check)');
  const connectHost = publishedHost(config.bindAddress);
  const urls = `https://${connectHost}:${config.ports.elasticsearch} (Elasticsearch) and https://${connectHost}:${config.ports.kibana} (Kibana)`;
  const remote = remoteDockerHost(endpoint);
  if (!remote) {
    // A unix socket forwarded over SSH looks local; a bindAddress of another machine says it is not.
    const elsewhere = endpoint.kind === 'socket' && config.bindAddress !== '0.0.0.0' && !isThisMachine(config.bindAddress);
    if (elsewhere) {
      return pass(NAME, `bindAddress ${config.bindAddress} is not an address of this machine, so the daemon behind ${endpoint.url} must run on the machine that has it (a forwarded socket); the elastic stack connects to ${urls}`);
    }
    return pass(NAME, `Docker runs on this machine; the elastic stack connects to ${urls}`);
  }

  const setting = `bindAddress for "${config.environment}" in stacks/config/environments.ts`;
  const fix = [
    `set ${setting} to an address of ${remote} that this machine reaches (for ${endpoint.url}: \`getent ahostsv4 ${remote}\`); ` +
      `the ports are then published on that address of ${remote}, the elastic stack connects to https://<that address>:${config.ports.elasticsearch} and :${config.ports.kibana}, and the platform's certificates include it`,
    `keep that address private (a firewall on ${remote} or a private network): Elasticsearch, Kibana and nginx listen there`,
  ];
  const where = describeEndpoint(endpoint);
  if (config.bindAddress === '0.0.0.0') {
    return fail(NAME, `Docker runs on ${remote} (${where}); bindAddress 0.0.0.0 publishes on every interface there, but the elastic stack, which runs here, connects to ${urls}: this machine, not ${remote}`, fix);
  }
  if (isThisMachine(config.bindAddress)) {
    const what = /^127\./.test(config.bindAddress) ? `the loopback address of ${remote}` : `an address of this machine, which Docker on ${remote} cannot publish on`;
    return fail(NAME, `Docker runs on ${remote} (${where}); bindAddress ${config.bindAddress} is ${what}, so the elastic stack, which runs here, cannot reach ${urls}`, fix);
  }
  return pass(NAME, `Docker runs on ${remote}; the elastic stack connects to ${urls}, which must be an address of ${remote} that this machine reaches`);
}

const BUILDS = 'Image builds on the Docker host';

/**
 * The service images build through buildx (constructs/fastify-service.ts SERVICE_IMAGE_BUILDER),
 * and kreuzwerker/docker v3.6.2 hands buildx a docker CLI initialised with nothing but
 * `Hosts: [client.DaemonHost()]` (internal/provider/docker_cli.go L12-24). For ssh:// that host
 * is the connection helper's placeholder http://docker.example.com (docker/cli v28.1.1
 * cli/connhelper/connhelper.go L59), and TLS settings are not passed at all (the CLI's default
 * endpoint takes TLS only from its options: cli/command/cli.go L345-372), so the first deploy
 * would stop at the first image build. Fixed upstream in v4.4.0 (#939: the configured host and
 * the provider's own API client). A unix socket (also one forwarded over SSH) and plain tcp:// work.
 */
export function checkRemoteBuilds({ host }: CheckContext): CheckResult {
  const endpoint = dockerEndpoint(host.env, host.homeDir);
  const forward = [
    'forward the remote socket over SSH and point DOCKER_HOST at it: ssh -fNT -o ExitOnForwardFailure=yes -L "$HOME/.docker/remote.sock:/var/run/docker.sock" USER@HOST, then export DOCKER_HOST="unix://$HOME/.docker/remote.sock" (and unset DOCKER_CONTEXT); see README "Remote Docker hosts"',
  ];
  if (endpoint.kind === 'ssh') {
    return fail(BUILDS, `${describeEndpoint(endpoint)}: the docker provider 3.6.2 talks to ssh:// hosts, but builds the service images through a docker CLI that gets the placeholder host http://docker.example.com instead, so the deploy would stop at the first image build`, forward);
  }
  if (endpoint.kind === 'tcp' && endpoint.tls) {
    return fail(BUILDS, `${describeEndpoint(endpoint)} with TLS (DOCKER_CERT_PATH): the docker provider 3.6.2 builds the service images through a docker CLI that gets the host but not the TLS settings, so the deploy would stop at the first image build`, forward);
  }
  if (endpoint.kind === 'unsupported') return skip(BUILDS, 'needs a usable Docker endpoint (see the Docker daemon check)');
  return pass(BUILDS, `the service images build through ${endpoint.url}`);
}
