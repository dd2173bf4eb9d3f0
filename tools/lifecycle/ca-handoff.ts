import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { kibanaCaCertificateProjectPath } from '../../stacks/elastic-stack.js';

/**
 * The platform stack's output with the PEM of the platform CA. The elastic
 * stack's Kibana provider block only takes CA *files*, so after the platform
 * is deployed (and before the elastic stack is planned) the PEM is written to
 * `kibanaCaCertificateProjectPath(env)`. test/preflight-stack-contract.test.ts
 * holds both stacks to this.
 */
export const PLATFORM_CA_OUTPUT = 'ca_certificate_pem';

/** The synthesized stack that declares PLATFORM_CA_OUTPUT, if any. */
export function caProducer(outdir: string, stacks: readonly string[]): string | undefined {
  return stacks.find((stack) => {
    try {
      const synthesized = JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as { output?: Record<string, unknown> };
      return synthesized.output?.[PLATFORM_CA_OUTPUT] !== undefined;
    } catch {
      return false;
    }
  });
}

/** Finds PLATFORM_CA_OUTPUT in a cdktf `--outputs-file` (outputs are nested by construct path). */
export function caFromOutputsFile(path: string): string | undefined {
  let outputs: unknown;
  try {
    outputs = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
  const search = (value: unknown): string | undefined => {
    if (value === null || typeof value !== 'object') return undefined;
    for (const [key, child] of Object.entries(value)) {
      if (key === PLATFORM_CA_OUTPUT && typeof child === 'string' && child.includes('-----BEGIN CERTIFICATE-----')) return child;
      const found = search(child);
      if (found) return found;
    }
    return undefined;
  };
  return search(outputs);
}

/** Writes the CA where the elastic stack expects it; returns the path. */
export function writeKibanaCa(projectDir: string, environment: string, pem: string): string {
  const path = resolve(projectDir, kibanaCaCertificateProjectPath(environment));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, pem.endsWith('\n') ? pem : `${pem}\n`, { mode: 0o644 });
  return path;
}
