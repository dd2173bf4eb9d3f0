import { TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { TlsProvider } from '@cdktf/provider-tls/lib/provider/index.js';
import { describe, expect, it } from 'vitest';
import type { PlatformContext } from '../../../constructs/platform-context.js';
import { PlatformPki, type PlatformPkiProps } from '../../../constructs/security/index.js';

type Resources = Record<string, Record<string, Record<string, unknown>>>;
interface Synth {
  resource: Resources;
  provider: Record<string, unknown[]>;
  output?: Record<string, { value: string; sensitive?: boolean }>;
}

const context: PlatformContext = { namePrefix: 'elk-dev', networkName: 'elk-dev-net' };

function synth(build: (stack: TerraformStack) => void): Synth {
  const stack = new TerraformStack(Testing.app(), 'test');
  build(stack);
  // With validations, as `cdktf synth` runs them.
  return JSON.parse(Testing.synth(stack, true)) as Synth;
}

function only(resources: Resources, type: string): Record<string, unknown> {
  const all = Object.values(resources[type] ?? {});
  expect(all, `exactly one ${type}`).toHaveLength(1);
  return all[0]!;
}

/** Logical id of the one resource of `type` whose id contains `part`. */
function idOf(resources: Resources, type: string, part: string): string {
  const ids = Object.keys(resources[type] ?? {}).filter((id) => id.includes(part));
  expect(ids, `one ${type} named like ${part}`).toHaveLength(1);
  return ids[0]!;
}

function pkiWith(props: Partial<PlatformPkiProps> = {}) {
  return synth((stack) => {
    const pki = new PlatformPki(stack, 'pki', { context, ...props });
    const cert = pki.issue('elasticsearch', { commonName: 'es01', dnsNames: ['elasticsearch', 'es01'], ipAddresses: ['10.0.0.5'] });
    new TerraformOutput(stack, 'cert', { value: cert.certificatePem });
    new TerraformOutput(stack, 'key', { value: cert.privateKeyPem, sensitive: true });
    new TerraformOutput(stack, 'ca', { value: cert.caCertificatePem });
    new TerraformOutput(stack, 'pkiCa', { value: pki.caCertificatePem });
  });
}

describe('PlatformPki', () => {
  it('creates a CA: its own RSA 3072 key, a self-signed CA certificate for signing certificates, subject key id set', () => {
    const out = pkiWith();
    const caKeyId = idOf(out.resource, 'tls_private_key', 'ca-key');
    expect(out.resource.tls_private_key![caKeyId]).toEqual({ algorithm: 'RSA', rsa_bits: 3072 });
    const ca = only(out.resource, 'tls_self_signed_cert');
    expect(ca).toMatchObject({
      is_ca_certificate: true,
      private_key_pem: `\${tls_private_key.${caKeyId}.private_key_pem}`,
      set_subject_key_id: true,
      validity_period_hours: 87600,
      early_renewal_hours: 8760,
      subject: [{ common_name: 'elk-dev private CA', organization: 'elk-dev' }],
    });
    expect(ca.allowed_uses).toEqual(expect.arrayContaining(['cert_signing']));
    expect(ca.allowed_uses).not.toEqual(expect.arrayContaining(['server_auth']));
  });

  it('issues a certificate signed by the CA for server and client use, with the requested SANs plus localhost and 127.0.0.1', () => {
    const out = pkiWith();
    const caId = idOf(out.resource, 'tls_self_signed_cert', 'ca');
    const caKeyId = idOf(out.resource, 'tls_private_key', 'ca-key');
    const keyId = idOf(out.resource, 'tls_private_key', 'elasticsearch-key');
    const csrId = idOf(out.resource, 'tls_cert_request', 'elasticsearch-csr');
    expect(out.resource.tls_private_key![keyId]).toEqual({ algorithm: 'RSA', rsa_bits: 3072 });
    expect(out.resource.tls_cert_request![csrId]).toEqual({
      private_key_pem: `\${tls_private_key.${keyId}.private_key_pem}`,
      subject: [{ common_name: 'es01', organization: 'elk-dev' }],
      dns_names: ['es01', 'elasticsearch', 'localhost'],
      ip_addresses: ['10.0.0.5', '127.0.0.1'],
    });
    const cert = only(out.resource, 'tls_locally_signed_cert');
    expect(cert).toEqual({
      cert_request_pem: `\${tls_cert_request.${csrId}.cert_request_pem}`,
      ca_cert_pem: `\${tls_self_signed_cert.${caId}.cert_pem}`,
      ca_private_key_pem: `\${tls_private_key.${caKeyId}.private_key_pem}`,
      allowed_uses: ['digital_signature', 'key_encipherment', 'server_auth', 'client_auth'],
      validity_period_hours: 8760,
      early_renewal_hours: 720,
      set_subject_key_id: true,
    });
  });

  it('hands out the certificate, its PKCS#8 key and the CA certificate as references, never as values', () => {
    const out = pkiWith();
    const certId = idOf(out.resource, 'tls_locally_signed_cert', 'elasticsearch-cert');
    const keyId = idOf(out.resource, 'tls_private_key', 'elasticsearch-key');
    const caId = idOf(out.resource, 'tls_self_signed_cert', 'ca');
    expect(out.output!.cert!.value).toBe(`\${tls_locally_signed_cert.${certId}.cert_pem}`);
    expect(out.output!.key!.value).toBe(`\${tls_private_key.${keyId}.private_key_pem_pkcs8}`);
    expect(out.output!.ca!.value).toBe(`\${tls_self_signed_cert.${caId}.cert_pem}`);
    expect(out.output!.pkiCa!.value).toBe(`\${tls_self_signed_cert.${caId}.cert_pem}`);
  });

  it('offers ECDSA P-384 keys, without the RSA-only key_encipherment usage', () => {
    const out = pkiWith({ keyAlgorithm: 'ECDSA' });
    for (const key of Object.values(out.resource.tls_private_key!)) {
      expect(key).toEqual({ algorithm: 'ECDSA', ecdsa_curve: 'P384' });
    }
    expect(only(out.resource, 'tls_locally_signed_cert').allowed_uses).toEqual(['digital_signature', 'server_auth', 'client_auth']);
  });

  it('takes validity and renewal windows from its props', () => {
    const out = pkiWith({ caValidityHours: 43800, certificateValidityHours: 2160, earlyRenewalHours: 168, caCommonName: 'Test CA' });
    expect(only(out.resource, 'tls_self_signed_cert')).toMatchObject({
      validity_period_hours: 43800,
      early_renewal_hours: 2160,
      subject: [{ common_name: 'Test CA', organization: 'elk-dev' }],
    });
    expect(only(out.resource, 'tls_locally_signed_cert')).toMatchObject({ validity_period_hours: 2160, early_renewal_hours: 168 });
  });

  it('leaves loopback names out when asked to', () => {
    const out = synth((stack) => {
      new PlatformPki(stack, 'pki', { context }).issue('internal', { commonName: 'logstash', loopback: false });
    });
    const csr = only(out.resource, 'tls_cert_request');
    expect(csr.dns_names).toEqual(['logstash']);
    expect(csr).not.toHaveProperty('ip_addresses');
  });

  it('refuses settings that cannot work, naming the setting', () => {
    const make = (props: Partial<PlatformPkiProps>) => () => synth((stack) => new PlatformPki(stack, 'pki', { context, ...props }));
    expect(make({ certificateValidityHours: 12 })).toThrow(/certificateValidityHours must be a whole number of hours, at least 24/);
    expect(make({ certificateValidityHours: 100.5 })).toThrow(/certificateValidityHours/);
    expect(make({ earlyRenewalHours: 8760 })).toThrow(/earlyRenewalHours \(8760\) must be less than certificateValidityHours/);
    expect(make({ caValidityHours: 8760 })).toThrow(/caValidityHours \(8760\) must exceed certificateValidityHours/);
    expect(make({ keyAlgorithm: 'DSA' as never })).toThrow(/keyAlgorithm must be "RSA" or "ECDSA"/);
    expect(make({ caCommonName: ' ' })).toThrow(/caCommonName must not be empty/);
  });

  it('refuses malformed names and addresses, naming the certificate and the entry', () => {
    const issue = (request: Parameters<PlatformPki['issue']>[1]) => () =>
      synth((stack) => new PlatformPki(stack, 'pki', { context }).issue('kibana', request));
    expect(issue({ commonName: 'kibana_1' })).toThrow(/issue\("kibana"\): commonName "kibana_1" is not a valid host name/);
    expect(issue({ commonName: 'kibana', dnsNames: ['-bad'] })).toThrow(/dnsNames entry "-bad"/);
    expect(issue({ commonName: 'kibana', ipAddresses: ['300.1.1.1'] })).toThrow(/ipAddresses entry "300.1.1.1" is not an IP address/);
    expect(issue({ commonName: 'kibana', ipAddresses: ['::1', '10.1.2.3'] })).not.toThrow();
  });

  it('adds one tls provider when the stack has none and reuses a declared one', () => {
    expect(pkiWith().provider.tls).toHaveLength(1);
    const declared = synth((stack) => {
      new TlsProvider(stack, 'mine', { proxy: [{ fromEnv: true }] });
      new PlatformPki(stack, 'pki', { context });
    });
    expect(declared.provider.tls).toEqual([{ proxy: [{ from_env: true }] }]);
  });

  it('fails synth when a second unaliased tls provider is declared after the PKI', () => {
    expect(() =>
      synth((stack) => {
        new PlatformPki(stack, 'pki', { context });
        new TlsProvider(stack, 'late');
      }),
    ).toThrow(/configures the "tls" provider 2 times without an alias/);
  });
});
