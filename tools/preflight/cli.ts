/**
 * `npm run preflight [-- --env NAME]`: checks this machine can deploy the
 * environment (PLATFORM_ENV, default dev). Exit code 1 when a check fails,
 * 2 when the environment's configuration itself is invalid.
 */
import { loadEnvironmentConfig } from '../../stacks/config/index.js';
import { ValidationError } from '../../constructs/private/validation.js';
import { environmentFromArgs } from '../lifecycle/environment.js';
import { failed, formatReport, runPreflight, systemHost } from './preflight.js';

async function main(argv: readonly string[]): Promise<number> {
  let config;
  try {
    config = loadEnvironmentConfig(environmentFromArgs(argv, process.env).environment);
  } catch (error) {
    if (error instanceof ValidationError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const results = await runPreflight(config, systemHost());
  const report = formatReport(config.environment, results);
  if (failed(results)) console.error(report);
  else console.log(report);
  return failed(results) ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
