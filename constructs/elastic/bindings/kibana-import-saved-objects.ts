import type { TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { ElasticstackResource } from './elasticstack-resource.js';
import { definedOnly } from './provider-version.js';

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
export class KibanaImportSavedObjects extends ElasticstackResource<KibanaImportSavedObjectsConfig> {
  public static readonly tfResourceType = 'elasticstack_kibana_import_saved_objects';

  public constructor(scope: Construct, id: string, config: KibanaImportSavedObjectsConfig) {
    super(scope, id, KibanaImportSavedObjects.tfResourceType, config);
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    const c = this.resourceConfig;
    return definedOnly({
      file_contents: c.fileContents,
      overwrite: c.overwrite,
      ignore_import_errors: c.ignoreImportErrors,
      space_id: c.spaceId,
    });
  }
}
