import type { App } from 'cdktf';
import { SERVICES, type ServiceDeclaration } from '../services/shared/src/catalog.js';
import type { EnvironmentConfig } from './config/index.js';
import { PlatformStack } from './platform-stack.js';

/** The stacks of one environment. */
export interface EnvironmentStacks {
  readonly platform: PlatformStack;
}

/** Creates the stacks of `config`'s environment: `<env>-platform`. */
export function createStacks(app: App, config: EnvironmentConfig, services: readonly ServiceDeclaration[] = SERVICES): EnvironmentStacks {
  const platform = new PlatformStack(app, `${config.environment}-platform`, { config, services });
  return { platform };
}
