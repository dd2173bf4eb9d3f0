import { Construct } from 'constructs';
import { Network } from '@cdktf/provider-docker/lib/network/index.js';
import { ValidationError } from './private/validation.js';

export interface PlatformNetworkProps {
  /** `<projectName>-<environment>`; the network is `<namePrefix>-net`. */
  readonly namePrefix: string;
  /** Host address published ports bind to by default (defence in depth: each port also names it). */
  readonly bindAddress: string;
  /** Docker labels of the network. @default [] */
  readonly labels?: readonly { label: string; value: string }[];
}

/**
 * The private bridge network every platform container joins; containers reach each
 * other by alias through Docker's DNS. It is a user-defined bridge, not `internal`,
 * because Docker publishes no ports from internal networks (nginx, Kibana and
 * Elasticsearch must be reachable on the bind address).
 */
export class PlatformNetwork extends Construct {
  public readonly network: Network;
  /** The network's name as a token: using it orders containers after the network. */
  public readonly name: string;

  constructor(scope: Construct, id: string, props: PlatformNetworkProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]*$/.test(props.namePrefix)) {
      throw new ValidationError(this, `namePrefix must be lower-case letters, digits and "-" (got "${props.namePrefix}")`);
    }
    this.network = new Network(this, 'network', {
      name: `${props.namePrefix}-net`,
      driver: 'bridge',
      attachable: false,
      options: { 'com.docker.network.bridge.host_binding_ipv4': props.bindAddress },
      labels: [...(props.labels ?? [])],
    });
    this.name = this.network.name;
  }
}
