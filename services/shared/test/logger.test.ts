import { execFile } from 'node:child_process';
import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createServiceLogger } from '../src/logger.js';
import { redactFields, redactUrl, scrubSecrets } from '../src/redact.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kit-logger-'));
  dirs.push(dir);
  return dir;
}

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, lines: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

describe('createServiceLogger', () => {
  it('writes ECS lines with the service fields, once each, on root and child loggers', async () => {
    const out = capture();
    const { logger, close } = await createServiceLogger({ service: 'user-service', environment: 'staging', stdout: out.stream });
    logger.info('root line');
    logger.child({ 'http.request.id': 'r-1' }).warn({ 'event.action': 'x' }, 'child line');
    await close();
    const [root, child] = out.lines();
    for (const line of [root, child]) {
      expect(line).toMatchObject({ 'service.name': 'user-service', 'service.environment': 'staging', 'ecs.version': expect.any(String) });
      expect(typeof line!['@timestamp']).toBe('string');
    }
    expect(root).toMatchObject({ 'log.level': 'info', message: 'root line' });
    expect(child).toMatchObject({ 'log.level': 'warn', message: 'child line', 'http.request.id': 'r-1' });
  });

  it('with LOG_FILE, writes each line once: every line to the file, only warn and above (LOG_STDOUT_LEVEL) also to stdout', async () => {
    const dir = await tempDir();
    const file = join(dir, 'one-copy.log');
    const out = capture();
    const { logger, close } = await createServiceLogger({ service: 'user-service', environment: 'dev', file, stdout: out.stream, syncFile: true });
    logger.info('info line');
    logger.warn('warn line');
    logger.error('error line');
    await close();
    const fileLines = (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(fileLines.map((l) => l.message)).toEqual(['info line', 'warn line', 'error line']);
    expect(out.lines().map((l) => l.message)).toEqual(['warn line', 'error line']);

    const errorsOnly = capture();
    const second = await createServiceLogger({ service: 'user-service', environment: 'dev', file: join(dir, 'two.log'), stdout: errorsOnly.stream, stdoutLevel: 'error', syncFile: true });
    second.logger.warn('warn line');
    second.logger.error('error line');
    await second.close();
    expect(errorsOnly.lines().map((l) => l.message)).toEqual(['error line']);
  });

  it('keeps secrets out: redacted keys, passwords in connection strings, in messages and errors', async () => {
    const out = capture();
    const { logger, close } = await createServiceLogger({ service: 'user-service', environment: 'dev', stdout: out.stream });
    logger.info({ password: 'hunter2', config: { DATABASE_URL: 'postgres://u:hunter3@db/x' } }, 'login');
    logger.info('connecting to postgres://app:hunter4@db:5432/users');
    logger.error({ err: new Error('failed for redis://:hunter5@cache:6379') }, 'boom');
    await close();
    const text = JSON.stringify(out.lines());
    for (const secret of ['hunter2', 'hunter3', 'hunter4', 'hunter5']) expect(text).not.toContain(secret);
    expect(text).toContain('postgres://app:***@db:5432/users');
  });

  it('redacts secret fields at any depth, in arrays, dotted names, child bindings and interpolated objects, without touching the caller\'s objects', async () => {
    const out = capture();
    const { logger, close } = await createServiceLogger({ service: 'user-service', environment: 'dev', stdout: out.stream });
    const nested = { client: { settings: { auth: { token: 's1' } } }, headers: { authorization: 'Basic s2', cookie: 's3', accept: 'json' } };
    logger.info(nested, 'nested');
    logger.info({ 'url.password': 's4', users: [{ name: 'a', secret: 's5' }] }, 'dotted and arrays');
    logger.child({ password: 's6' }).info('child');
    logger.info('interpolated %j and %o', { connectionString: 's7' }, { REDIS_URL: 's8' });
    await close();
    const text = out.lines().map((line) => JSON.stringify(line)).join('\n');
    for (const secret of ['s1', 's2', 's3', 's4', 's5', 's6', 's7', 's8']) expect(text).not.toContain(`"${secret}`);
    expect(out.lines()[0]).toMatchObject({ headers: { authorization: '[REDACTED]', cookie: '[REDACTED]', accept: 'json' } });
    expect(nested.client.settings.auth.token).toBe('s1'); // copy-on-write
    expect(nested.headers.authorization).toBe('Basic s2');
  });

  it('masks URL credentials in any field and keeps each line valid JSON', async () => {
    const out = capture();
    const { logger, close } = await createServiceLogger({ service: 'order-service', environment: 'dev', stdout: out.stream });
    logger.info({ 'labels.upstream': 'http://users:3000', 'user.email': 'a:b@example.com' }, 'a plain URL, then a field with ":" and "@"');
    logger.info({ deep: { list: ['amqp://app:hunter6@mq:5672'] }, quoted: 'postgres://app:hun"ter7@db/x' }, 'nested and escaped');
    await close();
    const [plain, masked] = out.lines(); // JSON.parse in lines() proves each line is still valid JSON
    expect(plain).toMatchObject({ 'labels.upstream': 'http://users:3000', 'user.email': 'a:b@example.com' });
    expect(masked).toMatchObject({ deep: { list: ['amqp://app:***@mq:5672'] }, quoted: 'postgres://app:***@db/x' });
  });

  it('buffered (production) file: URL credentials are masked there too, on every line of a batch', async () => {
    const file = join(await tempDir(), 'masked.log');
    const { logger, close } = await createServiceLogger({ service: 'user-service', environment: 'dev', file, stdout: false });
    for (let n = 0; n < 200; n++) logger.info({ n, 'labels.upstream': `postgres://app:hunter${n}@db/x` }, `via redis://:pw${n}@cache:6379`);
    await close();
    const lines = (await readFile(file, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(200);
    expect(lines[199]).toMatchObject({ 'labels.upstream': 'postgres://app:***@db/x', message: 'via redis://:***@cache:6379' });
    expect(JSON.stringify(lines)).not.toMatch(/hunter\d|pw\d/);
  });

  it('buffered (production) file: every line arrives, in order, across rotations, once closed', async () => {
    const dir = await tempDir();
    const { logger, close } = await createServiceLogger({ service: 'user-service', environment: 'dev', file: join(dir, 'svc.log'), stdout: false, fileSize: '16k', filesKept: 100 });
    const logFiles = async () => (await readdir(dir)).filter((name) => /^svc\.\d+\.log$/.test(name));
    // pino-roll rolls after the write that crossed the size, once the stream drains (a tick
    // later at the soonest): each chunk (far more than 16k) waits for its roll, so the test
    // checks rotation and order, not how soon a roll follows a write.
    for (let chunk = 0; chunk < 6; chunk++) {
      const before = (await logFiles()).length;
      for (let n = chunk * 500; n < (chunk + 1) * 500; n++) {
        logger.info({ n }, 'buffered line');
        if (n % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await vi.waitFor(async () => expect((await logFiles()).length).toBeGreaterThan(before), { timeout: 10_000, interval: 10 });
    }
    await close();
    const files = (await logFiles()).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
    expect(files.length).toBeGreaterThan(2);
    const text = (await Promise.all(files.map((name) => readFile(join(dir, name), 'utf8')))).join('');
    expect(text.trim().split('\n').map((line) => JSON.parse(line).n)).toEqual([...Array(3000).keys()]);
  });

  it('buffered (production) file: a quiet service\'s line is written without waiting for more lines or close()', async () => {
    const dir = await tempDir();
    const file = join(dir, 'quiet.log');
    const { logger, close } = await createServiceLogger({ service: 'user-service', environment: 'dev', file, stdout: false });
    logger.info('the only line');
    let text = '';
    for (let attempt = 0; attempt < 100 && !text.includes('the only line'); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      text = await readFile(file, 'utf8').catch(() => '');
    }
    expect(text).toContain('the only line');
    await close();
  });

  it('process.exit() right after logging (the crash handler) loses no line, on stdout or in LOG_FILE', async () => {
    const dir = await tempDir();
    const file = join(dir, 'crash.log');
    const fixture = fileURLToPath(new URL('./fixtures/log-then-exit.ts', import.meta.url));
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', fixture, file, '500'], { maxBuffer: 10 * 2 ** 20 }, (_error, out) => resolve({ code: child.exitCode, stdout: out }));
    });
    expect(code).toBe(3);
    const written = (await readdir(dir)).filter((name) => /^crash\.\d+\.log$/.test(name));
    const fileText = (await Promise.all(written.map((name) => readFile(join(dir, name), 'utf8')))).join('');
    for (const text of [stdout, fileText]) {
      const lines = text.trim().split('\n').map((line) => JSON.parse(line));
      expect(lines.map((line) => line.n ?? line.message)).toEqual([...Array(500).keys(), 'exiting']);
    }
  });

  it('rotates LOG_FILE by size, keeps a bounded number of .log files, and keeps LOG_FILE pointing at the current one', async () => {
    const dir = await tempDir();
    const file = join(dir, 'user-service.log');
    const { logger, close } = await createServiceLogger({
      service: 'user-service',
      environment: 'dev',
      file,
      stdout: false,
      fileSize: '1k',
      filesKept: 2,
      syncFile: true,
    });
    for (let i = 0; i < 200; i++) {
      logger.info({ n: i }, 'x'.repeat(100));
      if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 5)); // let rotation clean-ups run
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    await close();
    const entries = await readdir(dir);
    const rotated = entries.filter((name) => /^user-service\.\d+\.log$/.test(name));
    expect(rotated.length).toBeGreaterThanOrEqual(2);
    expect(rotated.length).toBeLessThanOrEqual(3); // current + 2 kept
    expect(entries.filter((name) => !name.startsWith('.')).every((name) => name.endsWith('.log'))).toBe(true);
    expect((await lstat(file)).isSymbolicLink()).toBe(true);
    const newest = rotated.sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1])).at(-1);
    await expect(readlink(file)).resolves.toBe(newest);
    // The newest files hold the latest lines, in order (the current one may have just been opened, empty).
    const text = (await Promise.all(rotated.map((name) => readFile(join(dir, name), 'utf8')))).join('');
    const numbers = text.trim().split('\n').map((line) => JSON.parse(line).n as number);
    expect(numbers.at(-1)).toBe(199);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });
});

describe('redactUrl', () => {
  it('masks the password and keeps the rest', () => {
    expect(redactUrl('postgresql://user:p%40ss@host:5432/db?sslmode=require')).toBe('postgresql://user:***@host:5432/db?sslmode=require');
    expect(redactUrl('redis://cache:6379/0')).toBe('redis://cache:6379/0');
    expect(redactUrl('redis://:only-password@cache:6379')).toBe('redis://:***@cache:6379');
  });
});

describe('scrubSecrets on JSON text', () => {
  it('masks every credentialed URL, stays inside one JSON string, and handles escapes', () => {
    const line = JSON.stringify({ a: 'http://h:1', b: 'x:y@z', c: 'see redis://u:p\\w"d@r:1 and mysql://v:w@m/db' });
    const scrubbed = scrubSecrets(line);
    expect(JSON.parse(scrubbed)).toEqual({ a: 'http://h:1', b: 'x:y@z', c: 'see redis://u:***@r:1 and mysql://v:***@m/db' });
  });
});

describe('redactFields', () => {
  it('returns the very same object when nothing is secret (no copy on the hot path)', () => {
    const fields = { 'event.action': 'user_fetched', 'user.id': '1', nested: { ok: [1, { fine: true }] } };
    expect(redactFields(fields)).toBe(fields);
  });
});
