import { App } from 'cdktf';
import { ValidationError } from './constructs/private/validation.js';
import { DEFAULT_ENVIRONMENT, ENVIRONMENT_VARIABLE, loadEnvironmentConfig } from './stacks/config/index.js';
import { createStacks } from './stacks/app.js';
import { validationFaults } from './stacks/validation-faults.js';

/** A bad value is the user's to fix: each line names it; a stack trace would only bury that. */
function exitWithFaults(faults: readonly string[]): never {
  for (const fault of faults) console.error(fault);
  process.exit(1);
}

// The cdktf app: one environment per synth, chosen by PLATFORM_ENV (default dev).
try {
  const config = loadEnvironmentConfig(process.env[ENVIRONMENT_VARIABLE] || DEFAULT_ENVIRONMENT);
  const app = new App();
  createStacks(app, config);
  const faults = validationFaults(app);
  if (faults.length > 0) exitWithFaults(faults);
  app.synth();
} catch (error) {
  if (error instanceof ValidationError) exitWithFaults(error.faults);
  throw error;
}
