/**
 * No generated secret in clear text in anything the project synthesizes or
 * records: the synthesized stacks of every environment (as `cdktf synth` writes
 * them), every snapshot file, and a `cdktf.out` left in the checkout.
 */
import { generateKeyPairSync, randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'cdktf';
import { afterAll, describe, expect, it } from 'vitest';
import { ENVIRONMENTS, loadEnvironmentConfig } from '../../stacks/config/index.js';
import { createStacks } from '../../stacks/app.js';
import { findSecrets } from '../../constructs/security/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist']);

function filesUnder(dir: string, keep: (path: string) => boolean = () => true): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return SKIP_DIRS.has(name) ? [] : filesUnder(path, keep);
    return keep(path) ? [path] : [];
  });
}

function findingsIn(files: string[]) {
  return files.flatMap((file) =>
    findSecrets(readFileSync(file, 'utf8').split('\n')).map((f) => `${relative(ROOT, file)}: ${f.rule} ${f.excerpt}`),
  );
}

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

describe('secrets in synthesized and recorded files', () => {
  it.each(Object.keys(ENVIRONMENTS))('the %s stacks as `cdktf synth` writes them hold references, never secret values', (environment) => {
    const outdir = mkdtempSync(join(tmpdir(), `security-synth-${environment}-`));
    outdirs.push(outdir);
    const app = new App({ outdir });
    createStacks(app, loadEnvironmentConfig(environment));
    app.synth();
    const files = filesUnder(outdir);
    expect(files.some((f) => f.endsWith('cdk.tf.json'))).toBe(true);
    // The synthesized stacks do carry secrets: as Terraform references only.
    const synthesized = files.filter((f) => f.endsWith('cdk.tf.json')).map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(synthesized).toMatch(/\$\{random_password\.[\w-]+\.result\}/);
    expect(synthesized).toMatch(/\$\{tls_private_key\.[\w-]+\.private_key_pem_pkcs8\}/);
    expect(findingsIn(files)).toEqual([]);
  });

  it('no snapshot file and no cdktf.out in the checkout holds a secret value', () => {
    const snapshots = filesUnder(ROOT, (path) => /[\\/]__snapshots__[\\/]/.test(path));
    const leftovers = filesUnder(join(ROOT, 'cdktf.out'));
    expect(findingsIn([...snapshots, ...leftovers])).toEqual([]);
  });
});

describe('the secret detector', () => {
  const password = () => {
    // Like random_password with special = false: letters and digits, each class present.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    const body = Array.from({ length: 26 }, () => alphabet[randomInt(alphabet.length)]).join('');
    return `Ab${body}12cD`;
  };

  it('finds each kind of secret a deploy generates, wherever it is planted', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const pkcs1 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const planted: Record<string, string> = {
      'PEM private key': `"content": ${JSON.stringify(pem)}`,
      'PEM private key ': pkcs1,
      'bcrypt hash': `platform_kibana:$2a$10$${'N9qo8uLOickgx2ZMRZoMye'}IjZAgcfl7p92ldGxad68LJZdL17lhWy`,
      'generated-looking secret': `"KIBANA_SECURITY_KEY=${password()}"`,
      'credentials in a URL': 'DATABASE_URL=postgres://users:hunter2hunter2@postgres:5432/users',
      'password or key setting with a literal value': 'elasticsearch.password: s3cretValue9',
    };
    for (const [rule, text] of Object.entries(planted)) {
      expect(findSecrets([text]).map((f) => f.rule), rule).toContain(rule.trim());
    }
    // Through the file scan too, naming the file.
    const dir = mkdtempSync(join(tmpdir(), 'security-planted-'));
    outdirs.push(dir);
    writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify({ env: [`KIBANA_SECURITY_KEY=${password()}`] }));
    expect(findingsIn(filesUnder(dir))).toEqual([expect.stringMatching(/cdk\.tf\.json: generated-looking secret/)]);
    // A finding never repeats the secret it found.
    const secret = password();
    expect(JSON.stringify(findSecrets([`token: ${secret}`]))).not.toContain(secret);
  });

  it('lets references, placeholders and prose pass', () => {
    const clean = [
      'DATABASE_URL=postgres://orders:${random_password.postgres_orders-password_0C7BB225.result}@postgres:5432/orders',
      'elasticsearch.password: $${KIBANA_ELASTICSEARCH_PASSWORD}',
      'password => "${LOGSTASH_WRITER_PASSWORD}"',
      'user user-service on #${sha256(random_password.redis_user-service-password_D6093F15.result)} ~* +@all',
      'platform_kibana:${random_password.file-realm_platform-kibana-password_0EA9674B.bcrypt_hash}',
      '"description": "Password of the elastic superuser (the operator login to Kibana)."',
      'redis://user-service:***@redis:6379',
      '"image": "elk-dev-user-service:src-827d54ab0daa"',
      '"ELASTIC_PASSWORD=${random_password.file-realm_superuser-password_13903EF8.result}"',
    ];
    expect(findSecrets(clean)).toEqual([]);
  });
});
