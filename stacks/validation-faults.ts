import { Aspects, TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';
import { ContainerPolicyAspect } from './policy-aspect.js';

/**
 * The faults the constructs' own validations report (`node.addValidation`), one line each and
 * starting with the construct's path, as a ValidationError's are. `main.ts` runs them before
 * `app.synth()`, which would throw them all as one bracketed list.
 */
export function validationFaults(root: IConstruct): string[] {
  const own = root.node.findAll().flatMap((c) =>
    c.node.validate().map((message) => (message.startsWith(`${c.node.path}: `) ? message : `${c.node.path}: ${message}`)),
  );
  // The container policies too: synthesis would report them as one combined annotation error.
  const policies = root.node
    .findAll()
    .filter(TerraformStack.isStack)
    .flatMap((stack) => Aspects.of(stack).all.flatMap((aspect) => (aspect instanceof ContainerPolicyAspect ? aspect.faultsIn(stack) : [])));
  return [...own, ...policies];
}
