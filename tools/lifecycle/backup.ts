import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { elasticObjectNames } from '../../constructs/elastic/naming.js';
import { publishedHost } from '../../constructs/platform-context.js';
import { POSTGRES_BACKUP_RUN_AS, postgresBackupCommands, postgresBackupContainerName } from '../../constructs/postgres-backup.js';
import { namePrefixOf, type EnvironmentConfig } from '../../stacks/config/index.js';
import { platformCaProjectPath } from '../../stacks/ca-file.js';
import { stateFileProjectPath } from '../../stacks/state-backend.js';

/**
 * `npm run backup -- [--env E] [--only postgres|snapshot]`: a backup of a deployed environment
 * now, besides the scheduled ones: every service database dumped by the backup container (the
 * image's own /backup.sh, with the same retention as the scheduled runs), and an Elasticsearch
 * snapshot taken by executing the environment's SLM policy (`POST _slm/policy/<id>/_execute`),
 * as the provisioner (credentials from the platform stack's state), verifying the platform CA.
 */

export const BACKUP_PARTS = ['postgres', 'snapshot'] as const;
export type BackupPart = (typeof BACKUP_PARTS)[number];

export const BACKUP_USAGE = 'usage: npm run backup -- [--env NAME] [--only postgres|snapshot]';

/** What is left of the arguments once `--env` is taken: which parts to run. */
export function backupPartsFromArgs(rest: readonly string[]): BackupPart[] {
  const parts: BackupPart[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const value = arg === '--only' ? rest[++i] : arg.startsWith('--only=') ? arg.slice('--only='.length) : undefined;
    if (value === undefined) throw new Error(`${arg === '--only' ? '--only needs a value' : `unknown argument "${arg}"`}; ${BACKUP_USAGE}`);
    if (!(BACKUP_PARTS as readonly string[]).includes(value)) throw new Error(`--only must be postgres or snapshot (got "${value}"); ${BACKUP_USAGE}`);
    if (!parts.includes(value as BackupPart)) parts.push(value as BackupPart);
  }
  return parts.length === 0 ? [...BACKUP_PARTS] : parts;
}

/** The HTTPS request that takes a snapshot now (credentials are read when it is sent). */
export interface SnapshotRequest {
  readonly method: 'POST';
  readonly url: string;
  /** The platform CA file the server certificate is verified against. */
  readonly caFile: string;
  /** The platform stack's state, which holds the provisioner's credentials. */
  readonly stateFile: string;
}

export interface BackupPlan {
  /** The docker CLI call that dumps every database now, as the container's postgres account. */
  readonly postgres: readonly string[];
  readonly snapshot: SnapshotRequest;
}

/** What `npm run backup` issues for an environment deployed from `projectDir`. */
export function backupPlan(config: EnvironmentConfig, projectDir: string): BackupPlan {
  const namePrefix = namePrefixOf(config);
  const policy = elasticObjectNames(config.environment).snapshotPolicy;
  return {
    postgres: ['docker', 'exec', '-u', POSTGRES_BACKUP_RUN_AS, postgresBackupContainerName(namePrefix), ...postgresBackupCommands.backupNow()],
    snapshot: {
      method: 'POST',
      url: `https://${publishedHost(config.bindAddress)}:${config.ports.elasticsearch}/_slm/policy/${encodeURIComponent(policy)}/_execute`,
      caFile: join(projectDir, platformCaProjectPath(config.environment)),
      stateFile: join(projectDir, stateFileProjectPath(`${config.environment}-platform`)),
    },
  };
}

/** The provisioner's credentials from the platform stack's (local) state outputs. */
export function provisionerCredentials(stateFile: string): { username: string; password: string } {
  let outputs: Record<string, { value?: unknown }> | undefined;
  try {
    outputs = (JSON.parse(readFileSync(stateFile, 'utf8')) as { outputs?: Record<string, { value?: unknown }> }).outputs;
  } catch (error) {
    throw new Error(`cannot read ${stateFile} (${(error as Error).message}); deploy the platform stack first (npm run deploy)`);
  }
  const username = outputs?.elastic_provisioner_username?.value;
  const password = outputs?.elastic_provisioner_password?.value;
  if (typeof username !== 'string' || typeof password !== 'string') {
    throw new Error(`${stateFile} has no elastic_provisioner_username/password outputs; finish deploying the platform stack (npm run deploy)`);
  }
  return { username, password };
}

export interface HttpsAnswer {
  readonly status: number;
  readonly body: string;
}

/** Sends `snapshot` with basic auth, trusting only the CA file's certificate(s). */
export function sendSnapshotRequest(snapshot: SnapshotRequest, credentials: { username: string; password: string }, timeoutMs = 60_000): Promise<HttpsAnswer> {
  const ca = readFileSync(snapshot.caFile, 'utf8');
  const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
  return new Promise((resolve, reject) => {
    const req = request(snapshot.url, { method: snapshot.method, ca, headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Runs `argv` with the terminal's output; resolves to its exit code. */
export function runCommand(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit', env });
    child.on('error', () => resolve(127));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

export interface BackupDependencies {
  readonly run: (argv: readonly string[]) => Promise<number>;
  readonly credentials: (stateFile: string) => { username: string; password: string };
  readonly send: (snapshot: SnapshotRequest, credentials: { username: string; password: string }) => Promise<HttpsAnswer>;
  readonly log: (line: string) => void;
}

const DEFAULT_DEPENDENCIES: BackupDependencies = {
  run: (argv) => runCommand(argv),
  credentials: provisionerCredentials,
  send: (snapshot, credentials) => sendSnapshotRequest(snapshot, credentials),
  log: (line) => console.error(line),
};

/** Why a snapshot answer is not a snapshot started, in the user's terms. */
function snapshotFailure(answer: HttpsAnswer, policy: string, environment: string): string {
  if (answer.status === 404) return `no snapshot policy "${policy}" (HTTP 404): deploy ${environment}-elastic first`;
  if (answer.status === 401 || answer.status === 403) return `the provisioner may not execute "${policy}" (HTTP ${answer.status}): ${answer.body.slice(0, 300)}`;
  return `HTTP ${answer.status}: ${answer.body.slice(0, 300)}`;
}

/**
 * Takes the chosen parts of a backup now; each is tried even when the other failed. Resolves to
 * 0 when every part succeeded, else 1.
 */
export async function runBackup(config: EnvironmentConfig, projectDir: string, parts: readonly BackupPart[], deps: Partial<BackupDependencies> = {}): Promise<number> {
  const { run, credentials, send, log } = { ...DEFAULT_DEPENDENCIES, ...deps };
  const plan = backupPlan(config, projectDir);
  const policy = elasticObjectNames(config.environment).snapshotPolicy;
  const failed: string[] = [];
  if (parts.includes('postgres')) {
    log(`$ ${plan.postgres.join(' ')}`);
    const code = await run(plan.postgres);
    const container = postgresBackupContainerName(namePrefixOf(config));
    if (code === 0) log(`Postgres: dumped every service database (list them: docker exec ${container} ${postgresBackupCommands.list().join(' ')})`);
    else failed.push(`Postgres dump: ${plan.postgres.join(' ')} exited ${code}${code === 127 ? ' (is the docker CLI installed?)' : ''}`);
  }
  if (parts.includes('snapshot')) {
    log(`$ ${plan.snapshot.method} ${plan.snapshot.url} (as the provisioner, CA ${plan.snapshot.caFile})`);
    try {
      const answer = await send(plan.snapshot, credentials(plan.snapshot.stateFile));
      if (answer.status === 200) {
        const name = (JSON.parse(answer.body) as { snapshot_name?: string }).snapshot_name;
        log(`Elasticsearch: snapshot ${name ?? '(unnamed)'} started by policy "${policy}"; follow it with GET _snapshot/${elasticObjectNames(config.environment).snapshotRepository}/${name ?? '<name>'}`);
      } else {
        failed.push(`Elasticsearch snapshot: ${snapshotFailure(answer, policy, config.environment)}`);
      }
    } catch (error) {
      failed.push(`Elasticsearch snapshot: ${(error as Error).message}`);
    }
  }
  for (const line of failed) log(`FAILED ${line}`);
  return failed.length === 0 ? 0 : 1;
}
