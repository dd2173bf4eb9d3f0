import { TerraformResource, type TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { definedOnly, ELASTICSTACK_GENERATOR_METADATA, hclNotSupported } from './provider-version.js';

export interface KibanaImportSavedObjectsConfig extends TerraformMetaArguments {
  /** `file_contents`: NDJSON as written by Kibana's saved objects export API. */
  readonly fileContents: string;
  /** `overwrite`: replace objects with the same id (so changes re-import cleanly). */
  readonly overwrite?: boolean;
  /** `ignore_import_errors`: never set here; a failed import must fail the apply. */
  readonly ignoreImportErrors?: boolean;
  /** `space_id` (default space when unset). */
  readonly spaceId?: string;
}

/**
 * `elasticstack_kibana_import_saved_objects`: imports saved objects (additive:
 * destroying the resource does not delete the objects from Kibana).
 */
export class KibanaImportSavedObjects extends TerraformResource {
  public static readonly tfResourceType = 'elasticstack_kibana_import_saved_objects';

  private readonly config: KibanaImportSavedObjectsConfig;

  public constructor(scope: Construct, id: string, config: KibanaImportSavedObjectsConfig) {
    super(scope, id, {
      terraformResourceType: KibanaImportSavedObjects.tfResourceType,
      terraformGeneratorMetadata: ELASTICSTACK_GENERATOR_METADATA,
      provider: config.provider,
      dependsOn: config.dependsOn,
      count: config.count,
      lifecycle: config.lifecycle,
      forEach: config.forEach,
    });
    this.config = config;
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return hclNotSupported(KibanaImportSavedObjects.tfResourceType);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return definedOnly({
      file_contents: this.config.fileContents,
      overwrite: this.config.overwrite,
      ignore_import_errors: this.config.ignoreImportErrors,
      space_id: this.config.spaceId,
    });
  }
}
