import { describe, expect, it } from 'vitest';
import { ConfigError, baseConfigSchema, loadConfig } from '../src/config.js';

const valid = { DATABASE_URL: 'postgres://app:pw@db:5432/users', REDIS_URL: 'redis://cache:6379' };

function problem(env: Record<string, string | undefined>): string {
  try {
    loadConfig(baseConfigSchema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('fills the documented defaults', () => {
    const config = loadConfig(baseConfigSchema, valid);
    expect(config.LOG_FILE).toBeUndefined();
    expect(config).toMatchObject({
      PORT: 8000,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      SERVICE_ENVIRONMENT: 'dev',
      SHUTDOWN_DRAIN_MS: 500,
      ...valid,
    });
  });

  it.each([
    [{ REDIS_URL: valid.REDIS_URL }, 'Invalid configuration: DATABASE_URL is required'],
    [{ ...valid, DATABASE_URL: '' }, 'Invalid configuration: DATABASE_URL is required'],
    [{ ...valid, DATABASE_URL: 'mysql://db/x' }, 'Invalid configuration: DATABASE_URL must be a postgres:// or postgresql:// URL'],
    [{ DATABASE_URL: valid.DATABASE_URL }, 'Invalid configuration: REDIS_URL is required'],
    [{ ...valid, PORT: '80a' }, 'Invalid configuration: PORT must be a whole number from 0 to 65535'],
    [{ ...valid, PORT: '70000' }, 'Invalid configuration: PORT must be at most 65535'],
    [{ ...valid, LOG_LEVEL: 'loud' }, 'Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent'],
    [{ ...valid, LOG_FILE: '/var/log/x.txt' }, 'Invalid configuration: LOG_FILE must be a file path ending in ".log"'],
    [{ ...valid, SHUTDOWN_DRAIN_MS: '10000' }, 'Invalid configuration: SHUTDOWN_DRAIN_MS must be less than SHUTDOWN_TIMEOUT_MS (10000)'],
    [{ ...valid, SHUTDOWN_DRAIN_MS: '60001' }, 'Invalid configuration: SHUTDOWN_DRAIN_MS must be at most 60000'],
    [{ ...valid, SERVICE_ENVIRONMENT: 'Prod!' }, 'Invalid configuration: SERVICE_ENVIRONMENT must be 2-16 lower-case letters or digits, starting with a letter'],
  ])('%j -> %s', (env, message) => {
    const text = problem(env);
    expect(text).toBe(message);
    expect(text).not.toContain('\n');
  });

  it('never echoes a value (it may hold a password)', () => {
    expect(problem({ ...valid, DATABASE_URL: 'mysql://u:topsecret@db/x' })).not.toContain('topsecret');
  });
});
