import { spawnSync } from 'node:child_process';
import { TerraformStack, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { Construct } from 'constructs';
import { ValidationError, reportedAt, requireWholeNumber } from '../../constructs/private/validation.js';
import { validationFaults } from '../../stacks/validation-faults.js';

describe('ValidationError', () => {
  it('starts every fault with the construct path, one line each', () => {
    const stack = new TerraformStack(Testing.app(), 'dev-platform');
    const error = new ValidationError(stack, 'replicas must be a whole number, at least 1 (got 0)', 'memoryMb must be ...');
    expect(error.faults).toEqual(['dev-platform: replicas must be a whole number, at least 1 (got 0)', 'dev-platform: memoryMb must be ...']);
    expect(error.message.split('\n')).toEqual(error.faults);
  });

  it('checks whole numbers and ranges in one wording', () => {
    expect(requireWholeNumber('f', 'n', 5, { min: 1, max: 10 })).toBe(5);
    expect(() => requireWholeNumber('f', 'n', 11, { min: 1, max: 10 })).toThrow('f: n must be a whole number from 1 to 10 (got 11)');
    expect(() => requireWholeNumber('f', 'n', 1.5, { min: 1 })).toThrow('f: n must be a whole number, at least 1 (got 1.5)');
    expect(() => requireWholeNumber('f', 'heapMb', 0, { min: 256, unit: 'MiB' })).toThrow('f: heapMb must be a whole number of MiB, at least 256 (got 0)');
  });
});

describe('reportedAt', () => {
  it("reports a function's faults at the construct that called it, and leaves its own and its children's alone", () => {
    const stack = new TerraformStack(Testing.app(), 'dev-platform');
    const nginx = new Construct(stack, 'nginx');
    const child = new Construct(nginx, 'part');
    expect(() => reportedAt(nginx, () => { throw new ValidationError('renderNginxConfig', 'routes must list at least one service'); })).toThrow(
      /^dev-platform\/nginx: renderNginxConfig: routes must list at least one service$/,
    );
    expect(() => reportedAt(nginx, () => { throw new ValidationError(child, 'x must be 1'); })).toThrow(/^dev-platform\/nginx\/part: x must be 1$/);
    expect(reportedAt(nginx, () => 42)).toBe(42);
  });
});

describe('validationFaults', () => {
  it("lists every construct validation's message as one line starting with the construct path", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'dev-platform');
    const service = new Construct(stack, 'billing-service');
    service.node.addValidation({ validate: () => ['services/billing-service/package.json does not exist'] });
    const named = new Construct(stack, 'nginx');
    named.node.addValidation({ validate: () => ['dev-platform/nginx: already named'] });
    expect(validationFaults(app)).toEqual(['dev-platform/billing-service: services/billing-service/package.json does not exist', 'dev-platform/nginx: already named']);
  });
});

describe('main.ts', () => {
  it('prints a validation fault as one line, without a stack trace, and exits 1', () => {
    const run = spawnSync('npx', ['tsx', 'main.ts'], { env: { ...process.env, PLATFORM_ENV: 'prod' }, encoding: 'utf8', timeout: 120_000 });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual(['environment "prod": no such environment (PLATFORM_ENV); known environments: dev, staging']);
  }, 120_000);
});
