import { lstat, mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceLogger } from '../src/logger.js';
import { redactUrl } from '../src/redact.js';

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
  });
});
