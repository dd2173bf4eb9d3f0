import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { terraformLiteral } from '../terraform-literal.js';
import { KibanaImportSavedObjects } from './bindings/index.js';
import { dashboardSavedObjects, toNdjson, type DashboardSavedObjectsOptions, type SavedObject } from './dashboard-saved-objects.js';

/** What the saved objects are built from (the data view must exist before the import), and what the import waits for. */
export interface LogDashboardProps extends DashboardSavedObjectsOptions {
  /** What must exist first: the data view. */
  readonly dependsOn: ITerraformDependable[];
}

/**
 * The platform dashboard (log volume and errors per service, latency by route at
 * the services and at nginx, the request-id saved search), imported as saved
 * objects. Re-imports with overwrite when the catalog changes.
 */
export class LogDashboard extends Construct {
  public readonly dashboardId: string;
  public readonly savedObjects: readonly SavedObject[];

  public constructor(scope: Construct, id: string, props: LogDashboardProps) {
    super(scope, id);
    this.savedObjects = dashboardSavedObjects(props);
    this.dashboardId = this.savedObjects[this.savedObjects.length - 1]!.id;
    new KibanaImportSavedObjects(this, 'saved-objects', {
      // Terraform would interpolate `${` and `%{`; saved-object text must reach Kibana verbatim.
      fileContents: terraformLiteral(toNdjson(this.savedObjects)),
      overwrite: true,
      dependsOn: props.dependsOn,
    });
  }
}
