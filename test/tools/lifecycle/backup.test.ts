import { spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironmentConfig } from '../../../stacks/config/index.js';
import {
  backupPartsFromArgs,
  backupPlan,
  provisionerCredentials,
  runBackup,
  sendSnapshotRequest,
  type HttpsAnswer,
  type SnapshotRequest,
} from '../../../tools/lifecycle/backup.js';
import { createTestPki } from '../../support/tls-servers.js';

const work = mkdtempSync(join(tmpdir(), 'platform-backup-tool-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const projectRoot = join(import.meta.dirname, '../../..');

/** A platform state file with the provisioner outputs, as Terraform writes them. */
function stateFile(outputs: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(work, 'state-')), 'terraform.dev-platform.tfstate');
  writeFileSync(file, JSON.stringify({ version: 4, outputs: Object.fromEntries(Object.entries(outputs).map(([k, value]) => [k, { value, type: 'string' }])) }));
  return file;
}

describe('npm run backup: arguments', () => {
  it('takes both a Postgres dump and a snapshot unless --only narrows it', () => {
    expect(backupPartsFromArgs([])).toEqual(['postgres', 'snapshot']);
    expect(backupPartsFromArgs(['--only', 'postgres'])).toEqual(['postgres']);
    expect(backupPartsFromArgs(['--only=snapshot'])).toEqual(['snapshot']);
  });

  it('refuses an unknown argument, a bad --only and a --only without a value, with the usage', () => {
    expect(() => backupPartsFromArgs(['--auto-approve'])).toThrow(/unknown argument "--auto-approve"; usage: npm run backup/);
    expect(() => backupPartsFromArgs(['--only', 'kibana'])).toThrow(/--only must be postgres or snapshot \(got "kibana"\)/);
    expect(() => backupPartsFromArgs(['--only'])).toThrow(/--only needs a value/);
  });

  it('exits 2 naming the problem, before touching Docker or Elasticsearch, for an unknown environment or argument', () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(projectRoot, 'tools/lifecycle/backup-cli.ts'), ...args], { encoding: 'utf8', cwd: projectRoot, env: { ...process.env, PATH: '' } });
    const unknownEnv = cli('--env', 'prod');
    expect(unknownEnv.status).toBe(2);
    expect(unknownEnv.stderr).toMatch(/environment "prod": no such environment/);
    const badArg = cli('--env', 'dev', '--only', 'everything');
    expect(badArg.status).toBe(2);
    expect(badArg.stderr).toMatch(/--only must be postgres or snapshot/);
  });
});

describe.each(['dev', 'staging'])('npm run backup -- --env %s: what it issues', (environment) => {
  const config = loadEnvironmentConfig(environment);
  const plan = backupPlan(config, '/srv/platform');

  it("runs the backup image's own script in the environment's backup container, as its postgres account", () => {
    expect(plan.postgres).toEqual(['docker', 'exec', '-u', 'postgres', `elk-${environment}-postgres-backup`, '/backup.sh']);
  });

  it("executes the environment's SLM policy on its published Elasticsearch port, verifying the platform CA file", () => {
    expect(plan.snapshot).toEqual({
      method: 'POST',
      url: `https://127.0.0.1:${config.ports.elasticsearch}/_slm/policy/platform-${environment}-scheduled-snapshots/_execute`,
      caFile: `/srv/platform/.platform/${environment}/ca.pem`,
      stateFile: `/srv/platform/terraform.${environment}-platform.tfstate`,
    });
  });
});

describe('npm run backup: running it', () => {
  const config = loadEnvironmentConfig('dev');
  const credentials = { username: 'platform_provisioner', password: 's3cret' };

  const runWith = async (runExit: number, answer: HttpsAnswer | Error, parts: ('postgres' | 'snapshot')[] = ['postgres', 'snapshot']) => {
    const ran: (readonly string[])[] = [];
    const sent: { snapshot: SnapshotRequest; credentials: unknown }[] = [];
    const lines: string[] = [];
    const code = await runBackup(config, '/srv/platform', parts, {
      run: async (argv) => (ran.push(argv), runExit),
      credentials: (file) => (expect(file).toBe('/srv/platform/terraform.dev-platform.tfstate'), credentials),
      send: async (snapshot, creds) => {
        sent.push({ snapshot, credentials: creds });
        if (answer instanceof Error) throw answer;
        return answer;
      },
      log: (line) => lines.push(line),
    });
    return { code, ran, sent, lines: lines.join('\n') };
  };

  it('dumps, then snapshots with the provisioner credentials from the state, and exits 0', async () => {
    const result = await runWith(0, { status: 200, body: '{"snapshot_name":"dev-nightly-2026.12.03-abc"}' });
    expect(result.code).toBe(0);
    expect(result.ran).toEqual([backupPlan(config, '/srv/platform').postgres]);
    expect(result.sent).toEqual([{ snapshot: backupPlan(config, '/srv/platform').snapshot, credentials }]);
    expect(result.lines).toContain('snapshot dev-nightly-2026.12.03-abc started by policy "platform-dev-scheduled-snapshots"');
    expect(result.lines).not.toContain('s3cret');
  });

  it('still takes the snapshot when the dump fails, and exits 1 naming the failed part', async () => {
    const result = await runWith(1, { status: 200, body: '{"snapshot_name":"x"}' });
    expect(result.code).toBe(1);
    expect(result.sent).toHaveLength(1);
    expect(result.lines).toMatch(/FAILED Postgres dump: docker exec -u postgres elk-dev-postgres-backup \/backup\.sh exited 1/);
  });

  it('explains a missing policy (elastic stack not deployed) and a refused provisioner', async () => {
    expect((await runWith(0, { status: 404, body: '{}' })).lines).toMatch(/FAILED Elasticsearch snapshot: no snapshot policy "platform-dev-scheduled-snapshots" \(HTTP 404\): deploy dev-elastic first/);
    expect((await runWith(0, { status: 403, body: 'action [cluster:admin/slm/execute] is unauthorized' })).lines).toMatch(/the provisioner may not execute .*HTTP 403/);
    const unreachable = await runWith(0, new Error('connect ECONNREFUSED 127.0.0.1:9200'));
    expect(unreachable.code).toBe(1);
    expect(unreachable.lines).toMatch(/FAILED Elasticsearch snapshot: connect ECONNREFUSED/);
  });

  it('runs only the part --only names', async () => {
    const onlySnapshot = await runWith(0, { status: 200, body: '{}' }, ['snapshot']);
    expect(onlySnapshot.ran).toEqual([]);
    const onlyPostgres = await runWith(0, { status: 200, body: '{}' }, ['postgres']);
    expect(onlyPostgres.sent).toEqual([]);
  });
});

describe('provisioner credentials from the platform state', () => {
  it('reads the outputs Terraform stored, sensitive ones included', () => {
    const file = stateFile({ elastic_provisioner_username: 'platform_provisioner', elastic_provisioner_password: 'pw' });
    expect(provisionerCredentials(file)).toEqual({ username: 'platform_provisioner', password: 'pw' });
  });

  it('says to deploy when there is no state or the outputs are missing', () => {
    expect(() => provisionerCredentials(join(work, 'none.tfstate'))).toThrow(/cannot read .*none\.tfstate .*deploy the platform stack first/);
    expect(() => provisionerCredentials(stateFile({ nginx_url: 'http://127.0.0.1:8080' }))).toThrow(/no elastic_provisioner_username\/password outputs/);
  });
});

describe('the snapshot request on the wire (a local HTTPS server with a test CA)', () => {
  const pki = createTestPki(join(work, 'pki'));
  const seen: { method?: string; url?: string; authorization?: string }[] = [];
  let server: Server;
  let port = 0;

  beforeAll(async () => {
    server = createServer({ cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile) }, (req, res) => {
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"snapshot_name":"s1"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const snapshot = (caFile: string): SnapshotRequest => ({ method: 'POST', url: `https://127.0.0.1:${port}/_slm/policy/platform-dev-scheduled-snapshots/_execute`, caFile, stateFile: 'unused' });

  it('POSTs to the policy with basic auth, trusting the platform CA', async () => {
    const answer = await sendSnapshotRequest(snapshot(pki.caFile), { username: 'platform_provisioner', password: 'pw' });
    expect(answer).toEqual({ status: 200, body: '{"snapshot_name":"s1"}' });
    expect(seen.at(-1)).toEqual({ method: 'POST', url: '/_slm/policy/platform-dev-scheduled-snapshots/_execute', authorization: `Basic ${Buffer.from('platform_provisioner:pw').toString('base64')}` });
  });

  it('refuses a server whose certificate that CA did not sign, sending no credentials', async () => {
    const before = seen.length;
    await expect(sendSnapshotRequest(snapshot(pki.otherCaFile), { username: 'u', password: 'p' })).rejects.toThrow(/certificate/i);
    expect(seen.length).toBe(before);
  });
});
