import { platformLabels, type PlatformContext } from '../platform-context.js';

/**
 * The one place for what every platform container shares: network membership,
 * bounded logs, restart policy, project label, memory limit, the wait for health,
 * and healthcheck timing. Component constructs spread `containerSettings()` into
 * their `Container` config and add what is their own.
 */

/** Bounded Docker log rotation every container gets (json-file driver). */
export const DOCKER_LOG_ROTATION = { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '3' } } as const;

export interface ContainerSettingsOptions {
  /** Names the container answers to on the private network. */
  readonly aliases: readonly string[];
  /** Memory limit of the container (MiB). */
  readonly memoryMb: number;
  /**
   * Seconds Terraform waits for the healthcheck to pass before it fails the apply.
   * @default the provider's default (60)
   */
  readonly healthyWithinSeconds?: number;
  /**
   * Seconds Docker waits after the stop signal before it kills the process, on
   * `docker stop`, on a restart and on `terraform destroy`. Must exceed the
   * component's own shutdown timeout, or Docker kills it mid-shutdown.
   */
  readonly stopGraceSeconds: number;
}

/**
 * Container settings every platform container shares: membership of the private
 * network under the given aliases, bounded json-file logs, a restart policy, the
 * project label and a memory limit; and a health wait, so Terraform reports the
 * container created only once its healthcheck passes and dependents start after.
 */
export function containerSettings(context: PlatformContext, options: ContainerSettingsOptions) {
  return {
    networksAdvanced: [{ name: context.networkName, aliases: [...options.aliases] }],
    logDriver: DOCKER_LOG_ROTATION.driver,
    logOpts: { ...DOCKER_LOG_ROTATION.options },
    restart: 'unless-stopped',
    labels: platformLabels(context),
    memory: options.memoryMb,
    // kreuzwerker/docker v3.6.2, internal/provider/resource_docker_container_funcs.go: with
    // must_run at its default (true), reading a container that is not running calls the
    // resource's delete (read, L681-687), so a refresh removes a `docker stop`ped container and
    // its `docker logs`. A stopped container is an operator's decision; a plan must never delete it.
    mustRun: false,
    // `stop_timeout` is the container's own StopTimeout (docker stop, restarts). The provider's
    // delete stops with `destroy_grace_seconds`, 0 (kill at once) when unset (L933-940), then
    // force-removes, so destroy gets the same grace.
    stopTimeout: options.stopGraceSeconds,
    destroyGraceSeconds: options.stopGraceSeconds,
    wait: true,
    ...(options.healthyWithinSeconds === undefined ? {} : { waitTimeout: options.healthyWithinSeconds }),
  };
}

/**
 * A container that runs one command to completion during the apply (a preparation step, not a
 * service): no network, bounded logs, the project label and a memory limit; never restarted.
 * Terraform waits for it to exit (`attach`, kreuzwerker/docker v3.6.2 resource_docker_container_funcs.go:
 * create waits for "not running" and keeps its output in `container_logs`); with `must_run` false a
 * refresh keeps the exited container, so it runs again only when replaced. It has nothing to
 * healthcheck: its caller checks `exit_code` in a lifecycle postcondition (the policy Aspect requires one).
 */
export function oneShotContainerSettings(context: PlatformContext, options: { readonly memoryMb: number }) {
  return {
    networkMode: 'none',
    logDriver: DOCKER_LOG_ROTATION.driver,
    logOpts: { ...DOCKER_LOG_ROTATION.options },
    restart: 'no',
    labels: platformLabels(context),
    memory: options.memoryMb,
    mustRun: false,
    attach: true,
    logs: true,
  };
}

export interface HealthcheckOptions {
  /** Time a slow starter gets before failures count. @default '20s' */
  readonly startPeriod?: string;
  /** Consecutive failures that make the container unhealthy. @default 6 */
  readonly retries?: number;
}

/** Healthcheck timing shared by the platform's containers. */
export function healthcheck(test: string[], options: HealthcheckOptions = {}) {
  return {
    test,
    interval: '10s',
    timeout: '5s',
    retries: options.retries ?? 6,
    startPeriod: options.startPeriod ?? '20s',
  };
}

/** A healthcheck run by the container's shell, so `$VAR` reads the container's environment. */
export function shellHealthcheck(command: string, options: HealthcheckOptions = {}) {
  return healthcheck(['CMD-SHELL', command], options);
}
