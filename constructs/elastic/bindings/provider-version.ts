import type { TerraformProviderGeneratorMetadata } from 'cdktf';

/** Registry source of the Elastic Stack Terraform provider. */
export const ELASTICSTACK_PROVIDER_SOURCE = 'elastic/elasticstack';

/**
 * The one provider version these bindings are written against (exact pin: the
 * attribute names, types and nesting below are that version's documented schema).
 *
 * 0.16.3 is the newest release; its acceptance matrix
 * (elastic/terraform-provider-elasticstack v0.16.3 .github/workflows/provider.yml,
 * `matrix.version`) runs every 8.x/9.x minor up to 9.4.2 as blocking jobs and
 * 9.5.0-SNAPSHOT as a non-blocking one (`continue-on-error` for -SNAPSHOT), so it is
 * the release tested closest to the 9.5.3 stack. It also carries the data view
 * `field_attrs` fix (0.15.2) and index template `template.data_stream_options` (0.15.0).
 */
export const ELASTICSTACK_PROVIDER_VERSION = '0.16.3';

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
