import { ENVIRONMENT_NAME_PATTERN } from '@platform/contract';
import { ValidationError } from '../private/validation.js';

/**
 * Names of the Elastic objects of one environment, in one place. Everything is
 * prefixed `logs-platform-<environment>` so several environments can share a
 * cluster without colliding (an environment name has no `-`, so no environment's
 * names are another's). No name contains `@`: Elastic reserves it for built-in and
 * Fleet-managed templates ("avoid using `@` as part of the name of your own index
 * templates", https://www.elastic.co/docs/manage-data/data-store/templates,
 * elastic/docs-content manage-data/data-store/templates.md).
 */
export interface ElasticObjectNames {
  readonly lifecyclePolicy: string;
  readonly mappingsComponentTemplate: string;
  readonly settingsComponentTemplate: string;
  readonly indexTemplate: string;
  /** Saved-object id of the Kibana data view (stable, so saved objects can reference it). */
  readonly dataViewId: string;
  readonly dataViewName: string;
  /** Prefix of the dashboard's saved-object ids. */
  readonly savedObjectPrefix: string;
  readonly alertRule: string;
  /** Snapshot repository (shared filesystem or S3). */
  readonly snapshotRepository: string;
  /** SLM policy id. */
  readonly snapshotPolicy: string;
  /** Prefix of every snapshot's name. */
  readonly snapshotPrefix: string;
  /** The cluster-health rule. */
  readonly clusterHealthRule: string;
}

export function elasticObjectNames(environment: string): ElasticObjectNames {
  if (!ENVIRONMENT_NAME_PATTERN.test(environment)) {
    throw new ValidationError('elasticObjectNames', `environment "${environment}" must be 2-16 lower-case letters or digits, starting with a letter`);
  }
  const base = `logs-platform-${environment}`;
  return {
    lifecyclePolicy: base,
    mappingsComponentTemplate: `${base}-mappings`,
    settingsComponentTemplate: `${base}-settings`,
    indexTemplate: base,
    dataViewId: base,
    dataViewName: `Platform logs (${environment})`,
    savedObjectPrefix: `platform-${environment}`,
    alertRule: `Platform ${environment}: error spike per service`,
    snapshotRepository: `platform-${environment}-snapshots`,
    snapshotPolicy: `platform-${environment}-scheduled-snapshots`,
    snapshotPrefix: `platform-${environment}`,
    clusterHealthRule: `Platform ${environment}: cluster health`,
  };
}
