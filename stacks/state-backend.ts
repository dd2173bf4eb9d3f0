import { LocalBackend, TerraformStack } from 'cdktf';
import { PROJECT_DIR_FROM_STACK } from './working-directory.js';

/**
 * Where a stack's Terraform state lives, relative to the project directory (where
 * cdktf.json is). In .gitignore: state holds the generated secrets.
 */
export function stateFileProjectPath(stackName: string): string {
  return `terraform.${stackName}.tfstate`;
}

/**
 * Declares `stack`'s local state at `stateFileProjectPath`, as a path relative to the
 * stack's Terraform working directory (PROJECT_DIR_FROM_STACK). cdktf's default LocalBackend writes `process.cwd()` at synth time
 * (cdktf 0.21 lib/backends/local-backend.js), an absolute path that breaks `terraform init`
 * once the checkout moves. A dependent stack's `terraform_remote_state` reuses this same
 * relative path (LocalBackend.getRemoteStateDataSource) from its own working directory,
 * which is as deep, so both name the same file.
 */
export function useProjectStateFile(stack: TerraformStack): LocalBackend {
  return new LocalBackend(stack, { path: `${PROJECT_DIR_FROM_STACK}/${stateFileProjectPath(stack.node.id)}` });
}
