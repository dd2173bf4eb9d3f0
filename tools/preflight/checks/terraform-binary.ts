import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { fail, pass, type CheckContext, type CheckResult } from '../types.js';

const run = promisify(execFile);
const NAME = 'Terraform CLI';

/** Oldest supported release per CLI: cdktf 0.21 needs Terraform >= 1.5; OpenTofu from 1.6 (its first stable). */
export const MINIMUM_VERSIONS = { terraform: '1.5.0', tofu: '1.6.0' } as const;

type Flavor = keyof typeof MINIMUM_VERSIONS;

/** Finds an executable named `name` on `path` (like `command -v`). */
export function findOnPath(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Reads `Terraform v1.11.4` / `OpenTofu v1.8.2` from `-version` output. */
export function parseVersionOutput(output: string): { flavor: Flavor; version: string } | undefined {
  const match = /^(Terraform|OpenTofu) v(\d+\.\d+\.\d+)/m.exec(output);
  if (!match) return undefined;
  return { flavor: match[1] === 'OpenTofu' ? 'tofu' : 'terraform', version: match[2]! };
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

const INSTALL = {
  terraform: 'install Terraform >= 1.5: https://developer.hashicorp.com/terraform/install (or `tfenv install 1.11.4`)',
  tofu: 'install OpenTofu >= 1.6: https://opentofu.org/docs/intro/install/',
};

/** `terraform` (or TERRAFORM_BINARY_NAME, e.g. `tofu`) is on PATH at a supported version. */
export async function checkTerraformBinary({ host }: CheckContext): Promise<CheckResult> {
  const configured = host.env.TERRAFORM_BINARY_NAME?.trim();
  const binary = configured || 'terraform';
  const expected: Flavor = /tofu/.test(binary) ? 'tofu' : 'terraform';
  const found = binary.includes('/') ? binary : findOnPath(binary, host.env.PATH);
  if (!found) {
    const tofuInstead = !configured && findOnPath('tofu', host.env.PATH);
    return fail(NAME, `\`${binary}\` is not on PATH${configured ? ' (from TERRAFORM_BINARY_NAME)' : ''}`, [
      ...(tofuInstead ? [`OpenTofu is installed at ${tofuInstead}: export TERRAFORM_BINARY_NAME=tofu`] : []),
      INSTALL[expected],
      ...(configured ? [] : ['or, to use OpenTofu: export TERRAFORM_BINARY_NAME=tofu']),
    ]);
  }
  let output: string;
  try {
    const { stdout } = await run(found, ['-version'], { env: { ...host.env, CHECKPOINT_DISABLE: '1' }, timeout: host.timeoutMs * 3 });
    output = stdout;
  } catch (error) {
    return fail(NAME, `\`${found} -version\` failed: ${(error as Error).message.split('\n')[0]}`, [INSTALL[expected]]);
  }
  const parsed = parseVersionOutput(output);
  if (!parsed) {
    return fail(NAME, `\`${found} -version\` printed no "Terraform vX.Y.Z" or "OpenTofu vX.Y.Z" line`, [INSTALL[expected]]);
  }
  const minimum = MINIMUM_VERSIONS[parsed.flavor];
  const label = parsed.flavor === 'tofu' ? 'OpenTofu' : 'Terraform';
  if (compareVersions(parsed.version, minimum) < 0) {
    return fail(NAME, `${label} ${parsed.version} at ${found} is older than the supported ${minimum}`, [INSTALL[parsed.flavor]]);
  }
  return pass(NAME, `${label} ${parsed.version} at ${found}`);
}
