import type { TerraformProviderGeneratorMetadata } from 'cdktf';

/** Registry source of the Elastic Stack Terraform provider. */
export const ELASTICSTACK_PROVIDER_SOURCE = 'elastic/elasticstack';

/**
 * The one provider version these bindings are written against (exact pin: the
 * attribute names, types and nesting below are that version's documented schema).
 */
export const ELASTICSTACK_PROVIDER_VERSION = '0.13.1';

/** What `cdktf get` would stamp on every generated class of this provider. */
export const ELASTICSTACK_GENERATOR_METADATA: TerraformProviderGeneratorMetadata = {
  providerName: 'elasticstack',
  providerVersion: ELASTICSTACK_PROVIDER_VERSION,
  providerVersionConstraint: ELASTICSTACK_PROVIDER_VERSION,
};

/** Drops `undefined` entries so unset optional attributes are not synthesized. */
export function definedOnly<T extends Record<string, unknown>>(attributes: T): Partial<T> {
  return Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/**
 * `cdktf synth --hcl` calls `synthesizeHclAttributes()`; these bindings only
 * implement the JSON form, so HCL output fails loudly instead of silently
 * writing empty blocks.
 */
export function hclNotSupported(terraformType: string): never {
  throw new Error(
    `${terraformType}: the hand-written elasticstack bindings synthesize Terraform JSON only; run "cdktf synth" without --hcl (or replace them with "cdktf get" output, see constructs/elastic/bindings/README.md)`,
  );
}
