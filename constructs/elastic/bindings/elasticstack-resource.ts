import { TerraformResource, type TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { ELASTICSTACK_GENERATOR_METADATA, hclNotSupported } from './provider-version.js';

/**
 * What every `elasticstack_*` resource class shares, the part `cdktf get` repeats
 * in each generated class: the Terraform type and generator metadata, the
 * meta-arguments (`provider`, `depends_on`, `count`, `lifecycle`, `for_each`)
 * and JSON-only synthesis. A subclass declares its `tfResourceType`, its config
 * interface, the attribute getters other resources reference, and
 * `synthesizeAttributes()` (camelCase config -> snake_case attributes).
 */
export abstract class ElasticstackResource<Config extends TerraformMetaArguments> extends TerraformResource {
  /**
   * The config as given. Not named `config`: generated bindings use attribute
   * names (such as a connector's `config`) for their getters.
   */
  protected readonly resourceConfig: Config;

  protected constructor(scope: Construct, id: string, terraformResourceType: string, config: Config) {
    super(scope, id, {
      terraformResourceType,
      terraformGeneratorMetadata: ELASTICSTACK_GENERATOR_METADATA,
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      forEach: config.forEach,
    });
    this.resourceConfig = config;
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return hclNotSupported(this.terraformResourceType);
  }
}
