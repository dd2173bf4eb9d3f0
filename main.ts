import { App } from 'cdktf';
import type { IConstruct } from 'constructs';
import { ValidationError } from './constructs/private/validation.js';
import { DEFAULT_ENVIRONMENT, ENVIRONMENT_VARIABLE, loadEnvironmentConfig } from './stacks/config/index.js';
import { createStacks } from './stacks/app.js';

/**
 * The faults the constructs' own validations report (`node.addValidation`), one line each and
 * starting with the construct's path, as a ValidationError's are. Run before `app.synth()`,
 * which would throw them all as one bracketed list.
 */
function constructFaults(app: App): string[] {
  return app.node.findAll().flatMap((c: IConstruct) =>
    c.node.validate().map((message) => (message.startsWith(`${c.node.path}: `) ? message : `${c.node.path}: ${message}`)),
  );
}

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
  const faults = constructFaults(app);
  if (faults.length > 0) exitWithFaults(faults);
  app.synth();
} catch (error) {
  if (error instanceof ValidationError) exitWithFaults(error.faults);
  throw error;
}
