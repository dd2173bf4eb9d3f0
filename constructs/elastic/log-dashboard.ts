import { Construct } from 'constructs';
import type { ITerraformDependable } from 'cdktf';
import { terraformLiteral } from '../private/terraform-literal.js';
import { KibanaImportSavedObjects } from './bindings/index.js';
import { dashboardSavedObjects, toNdjson, type DashboardSavedObjectsOptions } from './dashboard-saved-objects.js';
import { reportedAt } from '../private/validation.js';

/** What the saved objects are built from (the data view must exist before the import), and what the import waits for. */
export interface LogDashboardProps extends DashboardSavedObjectsOptions {
  /** What must exist first: the data view. */
  readonly dependsOn: ITerraformDependable[];
}

/**
 * The platform dashboard (log volume, errors and dead letters per service, latency by
 * route at the services and at nginx, ingest rate per data stream, the request-id saved search), imported as saved
 * objects. Re-imports with overwrite when the catalog changes, and only then: the
 * provider never reads the objects back (see KibanaImportSavedObjects).
 */
export class LogDashboard extends Construct {
  /** Id of the dashboard saved object (the last one imported, after what it refers to). */
  public readonly dashboardId: string;

  public constructor(scope: Construct, id: string, props: LogDashboardProps) {
    super(scope, id);
    const savedObjects = reportedAt(this, () => dashboardSavedObjects(props));
    this.dashboardId = savedObjects[savedObjects.length - 1]!.id;
    new KibanaImportSavedObjects(this, 'saved-objects', {
      // Terraform would interpolate `${` and `%{`; saved-object text must reach Kibana verbatim.
      fileContents: terraformLiteral(toNdjson(savedObjects)),
      overwrite: true,
      dependsOn: props.dependsOn,
      lifecycle: {
        // The provider only warns when some objects failed (success_count > 0); this fails the apply.
        // Until the next successful import, every plan of the stack fails here too (state keeps success = false).
        postcondition: [
          {
            condition: '${self.success}',
            errorMessage: 'Kibana imported only part of the dashboard\'s saved objects: ${jsonencode(self.errors)}',
          },
        ],
      },
    });
  }
}
