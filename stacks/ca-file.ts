import { PROJECT_DIR_FROM_STACK } from './working-directory.js';

/**
 * The platform CA as a file on the machine that runs Terraform. The elasticstack
 * provider's Kibana block takes CA *files* only (its Elasticsearch block takes the
 * PEM itself), so the `<env>-platform` stack writes the CA there (hashicorp/local
 * `local_file`) and the `<env>-elastic` stack's Kibana connection reads it. Both
 * stacks take the path from here, so they cannot drift apart.
 *
 * `.platform/` holds per-machine deploy files and is in .gitignore.
 */

/** The CA file relative to the project directory (where cdktf.json is). */
export function platformCaProjectPath(environment: string): string {
  return `.platform/${environment}/ca.pem`;
}

/**
 * The same file as a Terraform expression: `${path.root}` is the stack's working directory,
 * PROJECT_DIR_FROM_STACK leads from there to the project directory, for every stack of the app.
 */
export function platformCaFile(environment: string): string {
  return `\${path.root}/${PROJECT_DIR_FROM_STACK}/${platformCaProjectPath(environment)}`;
}
