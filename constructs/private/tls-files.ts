import type { ContainerUpload } from '@cdktf/provider-docker/lib/container/index.js';
import type { IssuedCertificate } from '../security/pki.js';

/** Container paths of a component's CA certificate, own certificate and private key. */
export interface TlsPaths {
  readonly caCertificate: string;
  readonly certificate: string;
  readonly privateKey: string;
}

/**
 * The CA certificate and a component's key pair as container uploads (owned by root:root).
 * `keyPermissions` is the component's rule: `0600` where the entrypoint hands the key to the
 * server's user first (Postgres, Redis), `0640` where the process reads it as group 0 (Elastic).
 */
export function tlsFileUploads(
  paths: TlsPaths,
  caCertificatePem: string,
  keyPair: Pick<IssuedCertificate, 'certificatePem' | 'privateKeyPem'>,
  keyPermissions: '0600' | '0640',
): ContainerUpload[] {
  return [
    { file: paths.caCertificate, content: caCertificatePem, permissions: '0644' },
    { file: paths.certificate, content: keyPair.certificatePem, permissions: '0644' },
    { file: paths.privateKey, content: keyPair.privateKeyPem, permissions: keyPermissions },
  ];
}
