import { App } from 'cdktf';
import { ConfigError, DEFAULT_ENVIRONMENT, ENVIRONMENT_VARIABLE, loadEnvironmentConfig } from './stacks/config/index.js';
import { createStacks } from './stacks/app.js';

// The cdktf app: one environment per synth, chosen by PLATFORM_ENV (default dev).
try {
  const config = loadEnvironmentConfig(process.env[ENVIRONMENT_VARIABLE] || DEFAULT_ENVIRONMENT);
  const app = new App();
  createStacks(app, config);
  app.synth();
} catch (error) {
  if (error instanceof ConfigError) {
    // A bad setting is the user's to fix: its message names it; a stack trace would only bury that.
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
