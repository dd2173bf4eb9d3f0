/**
 * `npm run backup -- [--env NAME] [--only postgres|snapshot]`: a Postgres dump and an
 * Elasticsearch snapshot of a deployed environment, now (tools/lifecycle/backup.ts).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../../constructs/private/validation.js';
import { loadEnvironmentConfig } from '../../stacks/config/index.js';
import { BACKUP_USAGE, backupPartsFromArgs, runBackup } from './backup.js';
import { environmentFromArgs } from './environment.js';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function main(argv: string[]): Promise<number> {
  let config;
  let parts;
  try {
    const choice = environmentFromArgs(argv, process.env);
    parts = backupPartsFromArgs(choice.rest);
    config = loadEnvironmentConfig(choice.environment);
    console.error(`Environment "${config.environment}" (from ${choice.source}).`);
  } catch (error) {
    console.error(error instanceof ValidationError ? error.message : `${(error as Error).message}${(error as Error).message.includes('usage:') ? '' : `\n${BACKUP_USAGE}`}`);
    return 2;
  }
  return runBackup(config, projectRoot, parts);
}

process.exitCode = await main(process.argv.slice(2));
