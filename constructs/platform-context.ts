/**
 * What every component construct needs to know about the platform it joins: names and the
 * network, no settings. The platform stack builds one and hands it to each construct.
 */
export interface PlatformContext {
  /** `<projectName>-<environment>`: prefix of every Docker resource name. */
  readonly namePrefix: string;
  /** Name of the private Docker network every container joins (a token of the network resource). */
  readonly networkName: string;
}

/** Host address published ports bind to unless told otherwise (the settings' `bindAddress` default too). */
export const DEFAULT_BIND_ADDRESS = '127.0.0.1';

/**
 * The address a client on the Docker host reaches a published port at: the bind
 * address, or the loopback address when ports are bound to every interface.
 */
export function publishedHost(bindAddress: string): string {
  return bindAddress === '0.0.0.0' ? '127.0.0.1' : bindAddress;
}

/**
 * IP addresses a published server's certificate must be valid for: the loopback
 * address and the bind address (unless that is "every interface").
 */
export function publishedIpAddresses(bindAddress: string): string[] {
  return [...new Set(['127.0.0.1', bindAddress])].filter((ip) => ip !== '0.0.0.0');
}

/** Label every platform resource carries, so `docker ps --filter label=...` finds one environment's resources. */
export const PROJECT_LABEL = 'io.platform.project';

/** Docker labels of every resource of this platform (the `<projectName>-<environment>` prefix). */
export function platformLabels(context: PlatformContext): { label: string; value: string }[] {
  return [{ label: PROJECT_LABEL, value: context.namePrefix }];
}
