import { TerraformProvider, TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';

/**
 * Makes sure the stack that holds `scope` configures the provider `type`
 * (e.g. `tls`, `random`), creating a default one with `create` when none is
 * declared yet. A stack that needs provider settings (a proxy, an alias) declares
 * its own provider before the security constructs; this never adds a second one.
 */
const validated = new WeakMap<TerraformStack, Set<string>>();

export function ensureProvider(scope: IConstruct, type: string, create: (stack: TerraformStack) => TerraformProvider): void {
  const stack = TerraformStack.of(scope);
  const existing = stack.node
    .findAll()
    .some((c) => c instanceof TerraformProvider && c.terraformResourceType === type);
  if (!existing) create(stack);
  const types = validated.get(stack) ?? new Set<string>();
  if (types.has(type)) return;
  types.add(type);
  validated.set(stack, types);
  // A provider declared by the stack after this point would make two unaliased
  // configurations of the same provider, which Terraform refuses; say so at synth.
  stack.node.addValidation({
    validate: () => {
      const defaults = stack.node
        .findAll()
        .filter((c) => c instanceof TerraformProvider && c.terraformResourceType === type && c.alias === undefined);
      return defaults.length > 1
        ? [
            `Stack "${stack.node.id}" configures the "${type}" provider ${defaults.length} times without an alias; ` +
              `declare your ${type} provider before the security constructs (they reuse it) or remove it.`,
          ]
        : [];
    },
  });
}
