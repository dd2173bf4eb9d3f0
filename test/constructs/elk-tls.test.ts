import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { asUploaded, envOf, isReferenceTo, resourcesOf, synthElk, type SynthContainer } from '../support/elk-harness.js';

/** Settings that would turn TLS or its verification off, in any of the components' config syntaxes. */
const VERIFICATION_OFF = [
  /verification_?mode["']?\s*(:|=>|=)\s*["']?none/i,
  /ssl(\.|_)enabled["']?\s*(:|=>|=)\s*["']?false/i,
  /--insecure\b/,
  /\bcurl\b[^|]*\s-k\b/,
  /NODE_TLS_REJECT_UNAUTHORIZED\s*=\s*0/,
];

for (const environment of ['dev', 'staging']) {
  describe(`ELK TLS and secrets (${environment})`, () => {
    const { synthesized, json } = synthElk({ environment });
    const all = Object.values(resourcesOf<SynthContainer>(synthesized, 'docker_container'));
    // The ELK components; the snapshot volume's one-shot owner (no network, no TLS, no secret) is snapshots.test.ts's.
    const containers = all.filter((c) => !(c as { attach?: boolean }).attach);

    it('declares the five components (three Elasticsearch nodes on staging)', () => {
      const names = containers.map((c) => c.name.replace(`elk-${environment}-`, '')).sort();
      const nodes = environment === 'staging' ? ['elasticsearch-1', 'elasticsearch-2', 'elasticsearch-3'] : ['elasticsearch'];
      expect(names).toEqual([...nodes, 'filebeat', 'kibana', 'logstash', 'metricbeat'].sort());
    });

    it('turns verification off nowhere: uploads, environment, healthchecks', () => {
      for (const container of containers) {
        const texts = [
          ...(container.upload ?? []).map((u) => asUploaded(u.content)),
          ...(container.env ?? []),
          ...(container.healthcheck?.test ?? []),
        ];
        for (const text of texts) {
          for (const pattern of VERIFICATION_OFF) expect(text, `${container.name}: ${pattern}`).not.toMatch(pattern);
        }
      }
    });

    it('gives every container the same platform CA', () => {
      const caUploads = containers.flatMap((c) => (c.upload ?? []).filter((u) => u.file.endsWith('/ca.crt')).map((u) => ({ name: c.name, content: u.content })));
      expect(caUploads.map((u) => u.name).sort()).toEqual(containers.map((c) => c.name).sort());
      const cas = new Set(caUploads.map((u) => u.content));
      expect(cas.size).toBe(1);
      expect(isReferenceTo([...cas][0]!, 'tls_self_signed_cert', 'cert_pem')).toBe(true);
    });

    it('references only declared resources: no config placeholder is left for Terraform to interpolate', () => {
      const declared = new Set(
        Object.entries(synthesized.resource).flatMap(([type, byId]) => Object.keys(byId).map((id) => `${type}.${id}`)),
      );
      // `$${` is an escaped literal; every other `${` must be a reference to a declared resource.
      const interpolations = [...json.replace(/\$\$\{/g, '').matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1]!);
      expect(interpolations.length).toBeGreaterThan(0);
      for (const expression of interpolations) {
        // A lifecycle condition's own object.
        if (expression.startsWith('self.')) continue;
        const [type, id] = expression.split('.');
        expect(declared.has(`${type}.${id}`), expression).toBe(true);
      }
      expect(json).not.toMatch(/(^|[^%])%\{/);
    });

    it('passes every password and key as a reference to a generated value, never as a literal', () => {
      for (const container of containers) {
        for (const [name, value] of envOf(container)) {
          if (!/PASSWORD|_KEY$/.test(name)) continue;
          expect(isReferenceTo(value, 'random_password', 'result'), `${container.name} ${name}`).toBe(true);
        }
      }
      expect(json).not.toContain('-----BEGIN');
      expect(json).not.toMatch(/changeme/i);
    });

    it('runs the processes that read private keys as uid 1000 with group 0 (uploads are root:root)', () => {
      for (const container of containers) {
        const readsKey = (container.upload ?? []).some((u) => isReferenceTo(u.content, 'tls_private_key'));
        if (readsKey) expect(container.user, container.name).toBe('1000:0');
      }
    });

    it('uploads every private key readable by its owner group only', () => {
      for (const container of containers) {
        for (const upload of container.upload ?? []) {
          if (isReferenceTo(upload.content, 'tls_private_key')) expect(upload.permissions, `${container.name} ${upload.file}`).toBe('0640');
        }
      }
    });

    it('publishes nothing beyond the bind address, and only Elasticsearch and Kibana', () => {
      const published = containers.filter((c) => (c.ports ?? []).length > 0);
      expect(published.map((c) => c.name).sort()).toEqual([
        `elk-${environment}-${environment === 'staging' ? 'elasticsearch-1' : 'elasticsearch'}`,
        `elk-${environment}-kibana`,
      ]);
      for (const container of published) for (const port of container.ports!) expect(port.ip).toBe('127.0.0.1');
    });

    it('names and labels every volume it declares after the environment', () => {
      const volumes = Object.values(resourcesOf<{ name: string; labels?: { label: string; value: string }[] }>(synthesized, 'docker_volume'));
      const elkVolumes = volumes.filter((v) => /-(elasticsearch(-\d)?|logstash|filebeat)-data$/.test(v.name));
      expect(elkVolumes).toHaveLength(environment === 'staging' ? 5 : 3);
      for (const volume of elkVolumes) {
        expect(volume.name.startsWith(`elk-${environment}-`)).toBe(true);
        expect(volume.labels).toEqual([{ label: 'io.platform.project', value: `elk-${environment}` }]);
      }
    });

    it('writes healthcheck commands that a POSIX shell parses', () => {
      for (const container of containers) {
        const [, command] = container.healthcheck!.test;
        // `sh -n` parses without running; Docker runs CMD-SHELL tests with `/bin/sh -c`.
        const parsed = spawnSync('sh', ['-n', '-c', command!], { encoding: 'utf8' });
        expect(parsed.status, `${container.name}: ${parsed.stderr}`).toBe(0);
      }
      expect(spawnSync('sh', ['-n', '-c', 'echo "unbalanced'], { encoding: 'utf8' }).status).not.toBe(0);
    });

    it('gives every container a healthcheck it waits for, a memory limit and bounded logs', () => {
      for (const container of containers) {
        expect(container.healthcheck?.test[0], container.name).toBe('CMD-SHELL');
        expect(container.wait, container.name).toBe(true);
        expect(container.memory, container.name).toBeGreaterThan(0);
        expect(container.log_driver).toBe('json-file');
        expect(container.log_opts).toEqual({ 'max-size': '10m', 'max-file': '3' });
      }
    });
  });
}
