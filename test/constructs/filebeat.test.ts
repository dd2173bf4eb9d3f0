import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FILEBEAT_DATA_DIR, filebeatFiles } from '../../pipelines/index.js';
import { LOG_ROOT, SERVICES } from '@platform/contract';
import { asUploaded, containerNamed, isReferenceTo, synthElk, uploadOf } from '../support/elk-harness.js';

const FILEBEAT_YML = '/usr/share/filebeat/filebeat.yml';

describe('Filebeat', () => {
  const { synthesized } = synthElk();
  const container = containerNamed(synthesized, 'elk-dev-filebeat');
  const uploaded = asUploaded(uploadOf(container, FILEBEAT_YML).content);
  const config = parse(uploaded) as Record<string, any>;

  it('uploads exactly the config the pipelines renderer produces for this environment', () => {
    const [expected] = filebeatFiles({
      services: SERVICES,
      environment: 'dev',
      logstashHosts: ['logstash:5044'],
      caCertificatePath: config['output.logstash'].ssl.certificate_authorities[0],
    });
    expect(expected!.path).toBe(FILEBEAT_YML);
    expect(uploaded).toBe(expected!.content);
    expect(uploadOf(container, FILEBEAT_YML).permissions).toBe('0644');
  });

  it('ships to Logstash over TLS with full verification against the uploaded platform CA', () => {
    const ssl = config['output.logstash'].ssl;
    expect(config['output.logstash'].hosts).toEqual(['logstash:5044']);
    expect(ssl.enabled).toBe(true);
    expect(ssl.verification_mode).toBe('full');
    const ca = uploadOf(container, ssl.certificate_authorities[0]);
    expect(isReferenceTo(ca.content, 'tls_self_signed_cert', 'cert_pem')).toBe(true);
  });

  it('reads the shared log volume read-only and keeps its registry on its own volume', () => {
    expect(container.volumes).toEqual([
      { volume_name: '${docker_volume.logs.name}', container_path: LOG_ROOT, read_only: true },
      { volume_name: expect.stringMatching(/^\$\{docker_volume\.filebeat/), container_path: FILEBEAT_DATA_DIR },
    ]);
    expect(config['path.data']).toBe(FILEBEAT_DATA_DIR);
  });

  it('is healthy only while its TLS connection to Logstash works (its own binary, no curl); starts after Logstash; not published', () => {
    const command = container.healthcheck!.test.join(' ');
    expect(command).toContain('/usr/share/filebeat/filebeat test output -c /usr/share/filebeat/filebeat.yml');
    expect(command).not.toMatch(/\bcurl\b|\bwget\b/);
    expect(command).toContain('filebeat -> logstash:');
    expect(container.depends_on).toEqual([expect.stringMatching(/^docker_container\.logstash/)]);
    expect(container.ports ?? []).toEqual([]);
    expect(container.memory).toBe(256);
  });

  it('refuses a missing log volume, naming the setting', () => {
    expect(() => synthElk({ filebeat: { logVolumeName: '' } })).toThrow(/\/filebeat: logVolumeName is empty/);
  });
});
