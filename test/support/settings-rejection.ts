import { expect } from 'vitest';
import { ValidationError } from '../../constructs/private/validation.js';
import { resolveEnvironmentConfig, type EnvironmentSettings } from '../../stacks/config/index.js';

/** The ValidationError message `settings` produce (fails the test when they are accepted). */
export function rejection(settings: unknown, environment = 'dev'): string {
  try {
    resolveEnvironmentConfig(environment, settings as EnvironmentSettings);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error(`settings were accepted: ${JSON.stringify(settings)}`);
}
