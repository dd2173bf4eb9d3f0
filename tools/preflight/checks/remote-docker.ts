import { publishedHost } from '../../../constructs/platform-context.js';
import { describeEndpoint, dockerEndpoint, isThisMachine, remoteDockerHost } from '../docker-api.js';
import { fail, pass, skip, type CheckContext, type CheckResult } from '../types.js';

const NAME = 'Elastic connection';

/**
 * The elastic stack's Terraform runs on this machine and connects to Elasticsearch and Kibana
 * at https://<publishedHost(config)>:<port> (constructs/elasticsearch.ts and kibana.ts
 * `publishedUrl`), where the platform publishes them: on `bindAddress` of the Docker host.
 * With a remote Docker host that works only when bindAddress is an address of that host
 * which this machine reaches; loopback and 0.0.0.0 (which the connection turns into
 * 127.0.0.1) would point at this machine instead.
 */
export function checkElasticConnection({ config, host }: CheckContext): CheckResult {
  const endpoint = dockerEndpoint(host.env, host.homeDir);
  if (endpoint.kind === 'unsupported') return skip(NAME, 'needs a usable Docker endpoint (see the Docker daemon check)');
  const connectHost = publishedHost(config);
  const urls = `https://${connectHost}:${config.ports.elasticsearch} (Elasticsearch) and https://${connectHost}:${config.ports.kibana} (Kibana)`;
  const remote = remoteDockerHost(endpoint);
  if (!remote) return pass(NAME, `Docker runs on this machine; the elastic stack connects to ${urls}`);

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
