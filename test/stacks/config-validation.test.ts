import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS, loadEnvironmentConfig, replicasOf, resolveEnvironmentConfig } from '../../stacks/config/index.js';
import { defaultImage } from '../../constructs/images.js';
import { resolveImage } from '../../stacks/images.js';
import { rejection } from '../support/settings-rejection.js';

describe('environment config', () => {
  it('loads every shipped environment', () => {
    for (const name of Object.keys(ENVIRONMENTS)) expect(loadEnvironmentConfig(name).environment).toBe(name);
  });

  it('defaults to a secure, local dev environment', () => {
    const dev = loadEnvironmentConfig();
    expect(dev.environment).toBe('dev');
    expect(dev.bindAddress).toBe('127.0.0.1');
    expect(dev.elasticsearch.nodes).toBe(1);
    expect(replicasOf(dev, 'user-service')).toBe(1);
  });

  it('gives staging a three-node cluster and two replicas per service', () => {
    const staging = loadEnvironmentConfig('staging');
    expect(staging.elasticsearch.nodes).toBe(3);
    expect(replicasOf(staging, 'order-service')).toBe(2);
  });

  it.each<[string, unknown, RegExp]>([
    ['projectName', { projectName: 'My_Project' }, /environment "dev": projectName must be 2-20 characters of lower-case letters/],
    ['elasticVersion', { elasticVersion: 'latest' }, /environment "dev": elasticVersion must be an exact Elastic Stack release such as "9\.5\.3"/],
    ['elasticVersion (7.x)', { elasticVersion: '7.17.0' }, /environment "dev": elasticVersion .*8\.x or 9\.x/],
    ['bindAddress', { bindAddress: 'localhost' }, /environment "dev": bindAddress must be an IPv4 address such as "127\.0\.0\.1"/],
    ['ports.nginx (privileged)', { ports: { nginx: 80 } }, /environment "dev": ports\.nginx must be a whole number from 1024 to 65535/],
    ['ports.kibana (too high)', { ports: { kibana: 70000 } }, /environment "dev": ports\.kibana must be a whole number from 1024 to 65535/],
    ['ports.elasticsearch (fraction)', { ports: { elasticsearch: 9200.5 } }, /environment "dev": ports\.elasticsearch .*whole number/],
    ['elasticsearch.nodes', { elasticsearch: { nodes: 2 } }, /environment "dev": elasticsearch\.nodes must be 1 \(single node\) or 3/],
    ['elasticsearch.heapMb', { elasticsearch: { heapMb: 100 } }, /environment "dev": elasticsearch\.heapMb must be a whole number of MiB from 256 to/],
    ['logstash.heapMb', { logstash: { heapMb: 100000 } }, /environment "dev": logstash\.heapMb must be a whole number of MiB from \d+ to 8192/],
    ['kibana.memoryMb', { kibana: { memoryMb: 256 } }, /environment "dev": kibana\.memoryMb must be a whole number of MiB from 512 to/],
    ['images.overrides (latest)', { images: { overrides: { nginx: 'nginx:latest' } } }, /environment "dev": images\.overrides\.nginx .*pinned image reference/],
    ['images.overrides (untagged)', { images: { overrides: { redis: 'redis' } } }, /environment "dev": images\.overrides\.redis .*no missing tag/],
    ['images.overrides (unknown component)', { images: { overrides: { mysql: 'mysql:8.0.36' } } }, /environment "dev": images\.overrides .*unknown setting\(s\) "mysql"; allowed here: postgres, redis, elasticsearch/],
    ['images.registryMirror', { images: { registryMirror: 'https://mirror.example.com' } }, /environment "dev": images\.registryMirror .*registry host/],
    ['images.npmRegistry (not a URL)', { images: { npmRegistry: 'npm.mirror.internal' } }, /environment "dev": images\.npmRegistry .*http\(s\) URL/],
    ['images.npmRegistry (credentials)', { images: { npmRegistry: 'https://user:secret@npm.mirror.internal/' } }, /environment "dev": images\.npmRegistry .*must not contain credentials/],
    ['images.overrides.node (latest)', { images: { overrides: { node: 'node:latest' } } }, /environment "dev": images\.overrides\.node .*pinned image reference/],
    ['replicas (range)', { replicas: { 'user-service': 0 } }, /environment "dev": replicas\.user-service must be a whole number from 1 to 10/],
    ['replicas (too many)', { replicas: { 'user-service': 11 } }, /environment "dev": replicas\.user-service must be a whole number from 1 to 10/],
    ['logRetentionDays', { logRetentionDays: 0 }, /environment "dev": logRetentionDays must be a whole number of days from 1 to 3650/],
    ['rollover.maxAge', { rollover: { maxAge: '1w' } }, /environment "dev": rollover\.maxAge .*"1d" or "12h"/],
    ['rollover.maxPrimaryShardSize', { rollover: { maxPrimaryShardSize: '10' } }, /environment "dev": rollover\.maxPrimaryShardSize .*"10gb"/],
    ['alerts.errorThreshold', { alerts: { errorThreshold: 0 } }, /environment "dev": alerts\.errorThreshold .*at least 1/],
    ['alerts.windowMinutes', { alerts: { windowMinutes: 2000 } }, /environment "dev": alerts\.windowMinutes must be a whole number of minutes from 1 to 1440/],
    ['alerts.webhook', { alerts: { webhook: 'https://hooks.example.com/x' } }, /environment "dev": alerts\.webhook .*"slack" or "generic"; the URL itself is a secret and goes in TF_VAR_alert_webhook_url/],
    ['alerts.clusterHealthMinutes', { alerts: { clusterHealthMinutes: 0 } }, /environment "dev": alerts\.clusterHealthMinutes must be a whole number of minutes from 1 to 1440/],
    ['monitoring.dockerMetrics', { monitoring: { dockerMetrics: 'yes' } }, /environment "dev": monitoring\.dockerMetrics must be true or false/],
    ['monitoring.memoryMb', { monitoring: { memoryMb: 32 } }, /environment "dev": monitoring\.memoryMb must be a whole number of MiB from 64 to 4096/],
    ['a misspelt monitoring setting', { monitoring: { docker: true } }, /environment "dev": monitoring .*unknown setting\(s\) "docker"; allowed here: dockerMetrics, memoryMb/],
    ['alerts.licence', { alerts: { licence: 'free' } }, /environment "dev": alerts\.licence .*"basic"\|"trial"\|"gold"/],
    ['the retired alerts.webhookUrl (the URL is a secret now)', { alerts: { webhookUrl: 'https://hooks.example.com/x' } }, /unknown setting\(s\) "webhookUrl"; allowed here: .*webhook/],
    ['a misspelt setting', { bindAdress: '127.0.0.1' }, /environment "dev": unknown setting\(s\) "bindAdress"; allowed here: projectName, elasticVersion, bindAddress/],
    ['a misspelt nested setting', { ports: { ngnix: 9000 } }, /environment "dev": ports .*unknown setting\(s\) "ngnix"; allowed here: nginx, kibana, elasticsearch/],
    ['snapshots.schedule (not cron)', { snapshots: { schedule: '@daily' } }, /environment "dev": snapshots\.schedule must be an Elasticsearch cron expression: has 1 field/],
    ['snapshots.schedule (both day fields)', { snapshots: { schedule: '0 30 1 * * *' } }, /environment "dev": snapshots\.schedule .*exactly one of day-of-month/],
    ['snapshots.retention (min > max)', { snapshots: { retention: { minCount: 40, maxCount: 30 } } }, /environment "dev": snapshots\.retention\.minCount must not exceed snapshots\.retention\.maxCount \(got 40 > 30\)/],
    ['snapshots.retention.expireAfterDays', { snapshots: { retention: { expireAfterDays: 0 } } }, /environment "dev": snapshots\.retention\.expireAfterDays must be a whole number of days from 1/],
    ['snapshots.s3 without a bucket', { snapshots: { s3: { endpoint: 'https://minio.internal:9000' } } }, /environment "dev": snapshots\.s3\.bucket is required: the S3 bucket the snapshots go to/],
    ['snapshots.s3.endpoint', { snapshots: { s3: { bucket: 'backups', endpoint: 'minio:9000' } } }, /environment "dev": snapshots\.s3\.endpoint must be an http\(s\) URL/],
    ['a misspelt alert setting', { alerts: { threshold: 5 } }, /environment "dev": alerts .*unknown setting\(s\) "threshold"; allowed here: errorThreshold/],
    ['a wrong type', { ports: 8080 }, /environment "dev": ports /],
  ])('refuses a bad %s with a message naming it', (_, settings, message) => {
    expect(rejection(settings)).toMatch(message);
  });

  it('refuses replicas of a service that is not declared, listing the declared ones', () => {
    expect(rejection({ replicas: { 'payment-service': 2 } })).toMatch(
      /environment "dev": replicas\.payment-service names no declared service; declared services: user-service, order-service/,
    );
  });

  it('lists every bad setting at once', () => {
    const message = rejection({ bindAddress: 'x', elasticsearch: { nodes: 5 }, logRetentionDays: -1 });
    expect(message.split('\n')).toHaveLength(3);
    for (const path of ['bindAddress', 'elasticsearch.nodes', 'logRetentionDays']) expect(message).toContain(`environment "dev": ${path} `);
  });

  it('refuses a bad environment name and an unknown environment', () => {
    expect(rejection({}, 'Prod!')).toMatch(/environment "Prod!": the name must be 2-16 lower-case letters or digits/);
    expect(() => loadEnvironmentConfig('prod')).toThrow(/environment "prod": no such environment \(PLATFORM_ENV\); known environments: dev, staging/);
  });

  it('pulls default images through a registry mirror, and an override wins over both', () => {
    const mirrored = resolveEnvironmentConfig('dev', {
      images: { registryMirror: 'mirror.internal:5000/hub', overrides: { redis: 'registry.example.com/redis:7.4.5' } },
    });
    expect(resolveImage(mirrored, 'postgres')).toBe(`mirror.internal:5000/hub/library/${defaultImage('postgres', mirrored.elasticVersion)}`);
    expect(resolveImage(mirrored, 'kibana')).toBe(`mirror.internal:5000/hub/kibana/kibana:${mirrored.elasticVersion}`);
    expect(resolveImage(mirrored, 'redis')).toBe('registry.example.com/redis:7.4.5');
  });

  it('keeps container metrics (the Docker socket) off unless an environment turns them on', () => {
    for (const name of Object.keys(ENVIRONMENTS)) expect(loadEnvironmentConfig(name).monitoring.dockerMetrics).toBe(false);
    expect(resolveEnvironmentConfig('dev', { monitoring: { dockerMetrics: true } }).monitoring.dockerMetrics).toBe(true);
  });

  it('pulls Metricbeat from Elastic\'s registry path through a mirror, like the other Elastic images', () => {
    const mirrored = resolveEnvironmentConfig('dev', { images: { registryMirror: 'mirror.internal:5000/hub' } });
    expect(resolveImage(mirrored, 'metricbeat')).toBe(`mirror.internal:5000/hub/beats/metricbeat:${mirrored.elasticVersion}`);
  });

  it('accepts an npm registry URL and leaves it unset by default', () => {
    expect(resolveEnvironmentConfig('dev', {}).images.npmRegistry).toBeUndefined();
    expect(resolveEnvironmentConfig('dev', { images: { npmRegistry: 'http://npm.mirror.internal:4873/' } }).images.npmRegistry).toBe('http://npm.mirror.internal:4873/');
  });

  it('gives every Elastic image the one elasticVersion', () => {
    const config = resolveEnvironmentConfig('dev', { elasticVersion: '8.19.3' });
    for (const component of ['elasticsearch', 'logstash', 'kibana', 'filebeat', 'metricbeat'] as const) {
      expect(resolveImage(config, component)).toMatch(/:8\.19\.3$/);
    }
  });
});
