import { LocalBackend, TerraformStack } from 'cdktf';

/**
 * Where a stack's Terraform state lives, relative to the project directory (where
 * cdktf.json is). In .gitignore: state holds the generated secrets.
 */
export function stateFileProjectPath(stackName: string): string {
  return `terraform.${stackName}.tfstate`;
}

/**
 * Declares `stack`'s local state at `stateFileProjectPath`, as a path relative to the
 * stack's Terraform working directory `cdktf.out/stacks/<stack>` (three levels below the
 * project directory). cdktf's default LocalBackend writes `process.cwd()` at synth time
 * (cdktf 0.21 lib/backends/local-backend.js), an absolute path that breaks `terraform init`
 * once the checkout moves. A dependent stack's `terraform_remote_state` reuses this same
 * relative path (LocalBackend.getRemoteStateDataSource) from its own working directory,
 * which is also three levels down, so both name the same file.
 */
export function useProjectStateFile(stack: TerraformStack): LocalBackend {
  return new LocalBackend(stack, { path: `../../../${stateFileProjectPath(stack.node.id)}` });
}
