/**
 * `npm run synth|deploy|diff|destroy|output [-- --env NAME] [cdktf options]`
 *
 * Acts on every stack of one environment (`--env`, else PLATFORM_ENV, else dev):
 * deploy runs the preflight checks first, then deploys `<env>-platform` before
 * `<env>-elastic`; destroy goes in reverse. Extra options go to cdktf
 * (e.g. `--auto-approve`). diff options: `--report FILE` writes the
 * pull-request comment (markdown); a stack whose dependencies are not deployed yet is
 * explained instead of planned (tools/lifecycle/remote-state.ts). deploy option: `--skip-preflight`.
 * TERRAFORM_BINARY_NAME (e.g. `tofu`) is honoured by cdktf itself.
 */
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnvironmentConfig } from '../../stacks/config/index.js';
import { ValidationError } from '../../constructs/private/validation.js';
import { failed, formatReport, runPreflight, systemHost } from '../preflight/preflight.js';
import { environmentFromArgs } from './environment.js';
import { LIFECYCLE_COMMANDS, runLifecycle, type LifecycleCommand } from './run.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The project's own cdktf CLI (node_modules), run by the current node. */
function cdktfCli(): string[] {
  const require = createRequire(join(projectRoot, 'package.json'));
  const manifest = require.resolve('cdktf-cli/package.json');
  const { bin } = require(manifest) as { bin: { cdktf: string } };
  return [process.execPath, join(dirname(manifest), bin.cdktf)];
}

function takeOption(args: string[], name: string): string | undefined {
  const index = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (index === -1) return undefined;
  const [arg] = args.splice(index, 1);
  if (arg!.includes('=')) return arg!.slice(name.length + 1);
  const [value] = args.splice(index, 1);
  if (value === undefined) throw new Error(`${name} needs a value`);
  return value;
}

function takeFlag(args: string[], name: string): boolean {
  const index = args.indexOf(name);
  if (index !== -1) args.splice(index, 1);
  return index !== -1;
}

async function main([command, ...argv]: string[]): Promise<number> {
  if (!LIFECYCLE_COMMANDS.includes(command as LifecycleCommand)) {
    console.error(`usage: tsx tools/lifecycle/cli.ts <${LIFECYCLE_COMMANDS.join('|')}> [--env NAME] [cdktf options]`);
    return 2;
  }
  const choice = environmentFromArgs(argv, process.env);
  let config;
  try {
    config = loadEnvironmentConfig(choice.environment);
  } catch (error) {
    if (error instanceof ValidationError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const rest = [...choice.rest];
  const reportFile = command === 'diff' ? takeOption(rest, '--report') : undefined;
  const skipPreflight = command === 'deploy' && takeFlag(rest, '--skip-preflight');
  console.error(`Environment "${config.environment}" (from ${choice.source}).`);
  const exitCode = await runLifecycle(command as LifecycleCommand, {
    environment: config.environment,
    cdktf: cdktfCli(),
    cwd: projectRoot,
    env: process.env,
    extraArgs: rest,
    reportFile: reportFile && resolve(process.cwd(), reportFile),
    commit: process.env.GITHUB_SHA,
    preflight: skipPreflight
      ? undefined
      : async () => {
          const results = await runPreflight(config, systemHost());
          console.error(formatReport(config.environment, results));
          return !failed(results);
        },
  });
  if (command === 'deploy' && exitCode === 0) {
    console.error(
      [
        `Deployed environment "${config.environment}". The URLs are in the outputs above (nginx_url, kibana_url).`,
        'Generated credentials are sensitive outputs; write them to a private file outside the repository:',
        `  npm run outputs -- --env ${config.environment} --outputs-file "$HOME/${config.projectName}-${config.environment}-outputs.json" --outputs-file-include-sensitive-outputs`,
      ].join('\n'),
    );
  }
  return exitCode;
}

process.exitCode = await main(process.argv.slice(2));
