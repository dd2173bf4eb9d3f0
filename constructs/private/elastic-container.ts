import type { ContainerUpload } from '@cdktf/provider-docker/lib/container/index.js';
import { containerSettings, shellHealthcheck, type ContainerSettingsOptions } from './container-settings.js';
import type { PlatformContext } from '../platform-context.js';
import type { IssuedCertificate } from '../security/index.js';
import { tlsFileUploads, type TlsPaths } from './tls-files.js';

/**
 * What the ELK constructs (Elasticsearch, Kibana, Logstash, Filebeat) share on top
 * of the platform's container settings: the realm credentials they take,
 * TLS file uploads, the process user and their healthchecks.
 */

/** A file-realm user as a component authenticates: name and generated password (a token). */
export interface RealmCredentials {
  readonly username: string;
  readonly password: string;
}

/**
 * User the Elasticsearch, Logstash and Kibana processes run as: the images' uid 1000
 * (owner of their data directories) with group 0. Uploaded files are owned by
 * root:root, so private keys uploaded 0640 are readable by the process and no one else.
 */
export const ELASTIC_PROCESS_USER = '1000:0';

/** Seconds Terraform waits for a JVM or Node ELK component to turn healthy. */
const ELK_HEALTHY_WITHIN_SECONDS = 300;

/**
 * The platform's container settings for an Elastic process (Elasticsearch, Kibana, Logstash):
 * run as the images' own user, and a long wait for health, since a JVM starts slowly.
 */
export function elasticContainerSettings(context: PlatformContext, options: Omit<ContainerSettingsOptions, 'healthyWithinSeconds'>) {
  return { ...containerSettings(context, { ...options, healthyWithinSeconds: ELK_HEALTHY_WITHIN_SECONDS }), user: ELASTIC_PROCESS_USER };
}

/** An ELK healthcheck: a shell command with more retries than the platform default, for slow starters. */
export function elkHealthcheck(command: string, startPeriod: string) {
  return shellHealthcheck(command, { startPeriod, retries: 12 });
}

export type { TlsPaths } from './tls-files.js';

/** The CA certificate and a component's key pair as uploads: the process runs with group 0, so the key is group-readable only. */
export function tlsUploads(paths: TlsPaths, caCertificatePem: string, keyPair: Pick<IssuedCertificate, 'certificatePem' | 'privateKeyPem'>): ContainerUpload[] {
  return tlsFileUploads(paths, caCertificatePem, keyPair, '0640');
}

/**
 * A Beat's healthcheck: `<beat> test output` dials every output host and completes the TLS
 * handshake with the configured verification (and, for Elasticsearch outputs, authenticates),
 * so an untrusted certificate or refused credentials fail the check, with the last lines of
 * its report naming the `hop`. The Beat's own binary: no curl needed in the image.
 */
export function beatOutputHealthcheckCommand(beat: { readonly binary: string; readonly configPath: string; readonly name: string }, hop: string): string {
  const log = `/tmp/${beat.name}-healthcheck.log`;
  return (
    `${beat.binary} test output -c ${beat.configPath} --path.data /tmp/${beat.name}-healthcheck > ${log} 2>&1 ` +
    `|| { echo '${hop} failed:'; tail -n 5 ${log}; exit 1; }`
  );
}
