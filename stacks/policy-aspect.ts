import { Annotations, DefaultTokenResolver, StringConcat, TerraformStack, Token, Tokenization, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import { Container, type ContainerPorts } from '@cdktf/provider-docker/lib/container/index.js';
import { Image } from '@cdktf/provider-docker/lib/image/index.js';
import { IMAGE_REF } from './config/index.js';

/** The policies every platform container must meet. */
export const CONTAINER_POLICIES = ['pinned-image', 'healthcheck', 'memory-limit', 'published-ports'] as const;
export type ContainerPolicyName = (typeof CONTAINER_POLICIES)[number];

export interface ContainerPolicyViolation {
  readonly policy: ContainerPolicyName;
  readonly detail: string;
}

const IMAGE_REFERENCE = /^\$\{docker_image\.([^.}]+)\.(image_id|name)\}$/;

function pinned(ref: string): boolean {
  return IMAGE_REF.test(ref);
}

/** The image a container runs, checked whether it is written out or a reference to a `docker_image` of the same stack. */
function checkImage(container: Container, stack: TerraformStack): string | undefined {
  const image = container.imageInput;
  if (image === undefined) return 'no image set';
  if (!Token.isUnresolved(image)) {
    return pinned(image) ? undefined : `image "${image}" is not pinned (use an explicit tag other than "latest", or a digest)`;
  }
  const resolved = Tokenization.resolve(image, { scope: stack, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
  const match = IMAGE_REFERENCE.exec(String(resolved));
  const source = match
    ? stack.node.findAll().find((c): c is Image => c instanceof Image && stack.getLogicalId(c) === match[1])
    : undefined;
  if (!source) return 'image is computed from something other than a docker_image of this stack, so its tag cannot be checked';
  const name = source.nameInput;
  if (name === undefined || Token.isUnresolved(name)) return `docker_image "${source.node.path}" has a computed name, so its tag cannot be checked`;
  return pinned(name) ? undefined : `image "${name}" is not pinned (use an explicit tag other than "latest", or a digest)`;
}

function checkPorts(container: Container, bindAddress: string): string | undefined {
  if (container.publishAllPortsInput === true) return 'publish_all_ports publishes every exposed port on all addresses';
  if (container.networkModeInput === 'host') return 'network_mode "host" exposes every listening port on the host';
  const ports = container.portsInput;
  if (ports === undefined) return undefined;
  if (Token.isUnresolved(ports) || !Array.isArray(ports)) return 'ports are computed, so their bind addresses cannot be checked';
  const stray = (ports as ContainerPorts[]).filter((p) => p.ip !== bindAddress);
  if (stray.length === 0) return undefined;
  const shown = stray.map((p) => `${p.ip ?? '0.0.0.0 (no ip set)'}:${p.external ?? '(random)'}->${p.internal}`).join(', ');
  return `publishes ${shown}; every published port must bind to ${bindAddress} (config bindAddress)`;
}

/** Terraform runs it to completion during the apply (`attach`) and Docker never restarts it. */
export function isOneShot(container: Container): boolean {
  return container.attachInput === true && (container.restartInput ?? 'no') === 'no';
}

/** Checks one container against every policy; an empty list means it complies. */
export function containerPolicyViolations(container: Container, bindAddress: string): ContainerPolicyViolation[] {
  const stack = TerraformStack.of(container);
  const violations: ContainerPolicyViolation[] = [];
  const image = checkImage(container, stack);
  if (image) violations.push({ policy: 'pinned-image', detail: image });

  const check = container.healthcheckInput;
  const test = check?.test ?? [];
  // A one-shot container has exited by the time Terraform moves on: no state to healthcheck. Its
  // proof is its exit code, so it must declare a postcondition that checks it (and never restart).
  if (isOneShot(container)) {
    const checksExit = (container.lifecycle?.postcondition ?? []).some((c) => String(c.condition).includes('self.exit_code'));
    if (!checksExit) violations.push({ policy: 'healthcheck', detail: 'a one-shot container (attach) must check self.exit_code in a lifecycle postcondition' });
  } else if (test.length === 0 || test[0] === 'NONE') {
    violations.push({ policy: 'healthcheck', detail: 'no healthcheck test is declared' });
  }

  const memory = container.memoryInput;
  if (memory === undefined || (!Token.isUnresolved(memory) && memory <= 0)) {
    violations.push({ policy: 'memory-limit', detail: 'no memory limit (memory, in MiB) is set' });
  }

  const ports = checkPorts(container, bindAddress);
  if (ports) violations.push({ policy: 'published-ports', detail: ports });
  return violations;
}

/**
 * Enforces the platform's container policies on every `docker_container` in the
 * scope it is added to. Each violation becomes an error annotation naming the
 * container and the policy; cdktf refuses to synthesize a stack that has any.
 */
export class ContainerPolicyAspect implements IAspect {
  constructor(private readonly bindAddress: string) {}

  visit(node: IConstruct): void {
    if (!(node instanceof Container)) return;
    for (const message of this.messagesFor(node)) Annotations.of(node).addError(message);
  }

  /**
   * The violations under `scope`, one line each starting with the container's path, without
   * annotating anything: what `main.ts` prints before synthesis (validation-faults.ts).
   */
  faultsIn(scope: IConstruct): string[] {
    return scope.node
      .findAll()
      .filter((node): node is Container => node instanceof Container)
      .flatMap((container) => this.messagesFor(container).map((message) => `${container.node.path}: ${message}`));
  }

  private messagesFor(container: Container): string[] {
    const name = container.nameInput ?? container.node.path;
    return containerPolicyViolations(container, this.bindAddress).map((v) => `Container "${name}" breaks policy "${v.policy}": ${v.detail}`);
  }
}
