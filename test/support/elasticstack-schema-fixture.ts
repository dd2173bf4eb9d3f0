import { App, TerraformStack, Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Password } from '@cdktf/provider-random/lib/password/index.js';
import { RandomProvider } from '@cdktf/provider-random/lib/provider/index.js';
import { PrivateKey } from '@cdktf/provider-tls/lib/private-key/index.js';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider/index.js';
import { SelfSignedCert } from '@cdktf/provider-tls/lib/self-signed-cert/index.js';
import { SERVICES, type ServiceDeclaration } from '@platform/contract';
import { loadEnvironmentConfig, resolveEnvironmentConfig, type EnvironmentConfig, type EnvironmentSettings } from '../../stacks/config/index.js';
import type { ElasticConnection } from '../../stacks/contracts.js';
import { ElasticStack, type ElasticStackProps } from '../../stacks/elastic-stack.js';
import type { SynthesizedTerraform } from './elasticstack-schema-check.js';

/**
 * A stand-in for the platform stack with what the elastic stack needs from it: a
 * generated password and a CA certificate (real resources, so the connection
 * holds Terraform references, never literals). Keeps the elastic stack's tests
 * and snapshots independent of the container stack's details.
 */
export class ConnectionSourceStack extends TerraformStack {
  public readonly connection: ElasticConnection;

  public constructor(scope: Construct, id: string, config: EnvironmentConfig) {
    super(scope, id);
    new RandomProvider(this, 'random');
    new TlsProvider(this, 'tls');
    const password = new Password(this, 'provisioner-password', { length: 32, special: false });
    const key = new PrivateKey(this, 'ca-key', { algorithm: 'ECDSA', ecdsaCurve: 'P384' });
    const ca = new SelfSignedCert(this, 'ca', {
      privateKeyPem: key.privateKeyPem,
      isCaCertificate: true,
      validityPeriodHours: 24 * 365,
      allowedUses: ['cert_signing', 'crl_signing'],
      subject: [{ commonName: 'test platform CA' }],
    });
    this.connection = {
      elasticsearchEndpoint: `https://${config.bindAddress}:${config.ports.elasticsearch}`,
      kibanaEndpoint: `https://${config.bindAddress}:${config.ports.kibana}`,
      username: 'platform_provisioner',
      password: password.result,
      caCertificatePem: ca.certPem,
    };
  }
}

export interface SynthesizedElasticStack {
  readonly stack: ElasticStack;
  /** `cdk.tf.json` of `<env>-elastic` as written by `app.synth()` (cross-stack references resolved). */
  readonly json: string;
  readonly tf: SynthesizedTerraform & {
    readonly output: Record<string, { value: string; description?: string; sensitive?: boolean }>;
    readonly data?: Record<string, Record<string, Record<string, unknown>>>;
    readonly resource: Record<string, Record<string, Record<string, unknown>>>;
    readonly provider: Record<string, Record<string, unknown>[]>;
  };
}

export interface SynthOptions {
  readonly settings?: EnvironmentSettings;
  readonly services?: readonly ServiceDeclaration[];
  readonly props?: Partial<Omit<ElasticStackProps, 'config' | 'services' | 'connection'>>;
}

function readStack(app: App, stackName: string): string {
  app.synth();
  try {
    return readFileSync(join(app.outdir, 'stacks', stackName, 'cdk.tf.json'), 'utf8');
  } finally {
    rmSync(app.outdir, { recursive: true, force: true });
  }
}

/** Synthesizes `<env>-elastic` (connected to a {@link ConnectionSourceStack}) and returns its Terraform JSON. */
export function synthElasticStack(environment: string, options: SynthOptions = {}): SynthesizedElasticStack {
  const config = options.settings ? resolveEnvironmentConfig(environment, options.settings) : loadEnvironmentConfig(environment);
  const app = Testing.app();
  const source = new ConnectionSourceStack(app, `${environment}-platform`, config);
  const stack = new ElasticStack(app, `${environment}-elastic`, {
    config,
    services: options.services ?? SERVICES,
    connection: source.connection,
    ...options.props,
  });
  const json = readStack(app, `${environment}-elastic`);
  return { stack, json, tf: JSON.parse(json) };
}

/** Synthesizes a real platform stack and the elastic stack wired to its `elasticConnection`. */
export async function synthWithPlatformStack(environment: string): Promise<SynthesizedElasticStack> {
  const { PlatformStack } = await import('../../stacks/platform-stack.js');
  const config = loadEnvironmentConfig(environment);
  // The platform's own validations (e.g. service Dockerfiles) are its tests' business.
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'elastic-stack-')), stackTraces: false, skipValidation: true });
  const platform = new PlatformStack(app, `${environment}-platform`, { config });
  const stack = new ElasticStack(app, `${environment}-elastic`, { config, services: SERVICES, connection: platform.elasticConnection });
  const json = readStack(app, `${environment}-elastic`);
  return { stack, json, tf: JSON.parse(json) };
}
