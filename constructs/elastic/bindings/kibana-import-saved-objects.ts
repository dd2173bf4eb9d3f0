import type { TerraformMetaArguments } from 'cdktf';
import type { Construct } from 'constructs';
import { ElasticstackResource } from './elasticstack-resource.js';
import { definedOnly } from './provider-version.js';

export interface KibanaImportSavedObjectsConfig extends TerraformMetaArguments {
  /** `file_contents`: NDJSON as written by Kibana's saved objects export API. */
  readonly fileContents: string;
  /** `overwrite`: replace objects with the same id (so changes re-import cleanly). */
  readonly overwrite?: boolean;
  /**
   * `ignore_import_errors`: turns even a wholly failed import into success. Never set here:
   * without it only an import where nothing succeeded is an error (see the class comment).
   */
  readonly ignoreImportErrors?: boolean;
  /** `space_id` (default space when unset). */
  readonly spaceId?: string;
}

/**
 * `elasticstack_kibana_import_saved_objects`: POSTs the NDJSON to Kibana's import API on
 * create and on every update. What the provider does not do, alike at v0.13.1 and v0.16.3
 * (internal/kibana/import_saved_objects/): `Read` and `Delete` only log ("isn't supported"),
 * so objects edited or deleted in Kibana are not noticed until `file_contents` changes, and a
 * destroy leaves them in Kibana; an import with `success: false` is an error only when
 * `success_count` is 0, a partial failure is a warning (create.go, `importObjects`). The
 * read-only `success`, `success_count` and `errors` are kept in state: a postcondition on
 * `success` turns that warning into a failed apply.
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
