import type { EnvironmentConfig } from '../../stacks/config/index.js';

/** Outcome of one preflight check. `skip` means the check does not apply here (it says why). */
export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  /** Short name of what was checked, e.g. "Docker daemon". */
  readonly name: string;
  readonly status: CheckStatus;
  /** What was found (on failure: what is wrong). */
  readonly detail: string;
  /** On failure: the commands or settings that fix it, one per line. */
  readonly fix?: readonly string[];
}

/**
 * Everything a check reads from the machine, injectable so tests can make each
 * check fail without touching the real host.
 */
export interface PreflightHost {
  /** Environment variables (DOCKER_CONTEXT, DOCKER_HOST, DOCKER_CERT_PATH, DOCKER_CONFIG, HOME, TERRAFORM_BINARY_NAME, PATH). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * The account's home directory, where the docker provider looks up DOCKER_CONTEXT
   * (`.docker/contexts/meta`). Default: the password database's, as the provider reads it.
   */
  readonly homeDir?: string;
  /** Path of meminfo. Default `/proc/meminfo`. */
  readonly meminfoPath: string;
  /** Path of the vm.max_map_count sysctl. Default `/proc/sys/vm/max_map_count`. */
  readonly maxMapCountPath: string;
  /** Answers whether an image registry can be reached (HTTPS `GET /v2/`). */
  readonly probeRegistry: (registry: string) => Promise<RegistryProbe>;
  /** Timeout of each network probe (ms). Default 3000. */
  readonly timeoutMs: number;
}

export type RegistryProbe = { readonly reachable: true } | { readonly reachable: false; readonly reason: string };

/** What a check gets: the validated environment and the host to look at. */
export interface CheckContext {
  readonly config: EnvironmentConfig;
  readonly host: PreflightHost;
}

export function pass(name: string, detail: string): CheckResult {
  return { name, status: 'pass', detail };
}

export function fail(name: string, detail: string, fix: readonly string[]): CheckResult {
  return { name, status: 'fail', detail, fix };
}

export function skip(name: string, detail: string): CheckResult {
  return { name, status: 'skip', detail };
}
