import { SERVICE_NAME_PATTERN } from '@platform/contract';
import { z } from 'zod';
import { ALERT_WEBHOOK_KINDS, ELASTIC_LICENCES } from '../../constructs/elastic/alert-connectors.js';
import { ELASTICSEARCH_HEAP_MB, ELASTICSEARCH_HTTP_PORT } from '../../constructs/elasticsearch.js';
import { cronProblem } from '../../constructs/elastic/snapshots.js';
import { COMPONENTS, DEFAULT_ELASTIC_VERSION } from '../../constructs/images.js';
import { KIBANA_MEMORY_MB, KIBANA_PORT } from '../../constructs/kibana.js';
import { LOGSTASH_HEAP_MB } from '../../constructs/logstash.js';
import { METRICBEAT_MEMORY_MB } from '../../constructs/metricbeat.js';
import { APM_SERVER_MEMORY_MB } from '../../constructs/apm-server.js';
import { NGINX_DEFAULT_LISTEN_PORT } from '../../constructs/nginx-config.js';
import { cronScheduleProblem } from '../../constructs/postgres-backup.js';
import { DEFAULT_BIND_ADDRESS } from '../../constructs/platform-context.js';
import { describeWholeNumber, type WholeNumberRule } from '../../constructs/private/validation.js';

/**
 * The typed, validated settings of one environment. Every setting carries a
 * description and a default; the README's settings table is generated from
 * this schema, so the two cannot drift.
 */

/** A whole-number setting within `rule`, refused with the same message the constructs give. */
const wholeNumber = (rule: WholeNumberRule) => {
  const error = `must be ${describeWholeNumber(rule)}`;
  const atLeast = z.number().int({ error }).min(rule.min, { error });
  return rule.max === undefined ? atLeast : atLeast.max(rule.max, { error });
};

/** A whole-number setting: its rule, default and description in one call. */
const wholeNumberSetting = (rule: WholeNumberRule, fallback: number, description: string) => wholeNumber(rule).default(fallback).describe(description);

/** A string setting checked by a construct's own rule (`problem` says what is wrong, or nothing). */
const checkedString = (problem: (value: string) => string | undefined, rule: string) =>
  z.string().superRefine((value, ctx) => {
    const found = problem(value);
    if (found) ctx.addIssue({ code: 'custom', message: `${rule}: ${found}` });
  });

// Unprivileged ports only: the platform never asks for root on the host.
const port = (fallback: number, what: string) =>
  wholeNumber({ min: 1024, max: 65535 })
    .default(fallback)
    .describe(`Host port ${what} is published on (on \`bindAddress\`).`);

/** A MiB setting within what its construct accepts (range and default are the construct's, declared there). */
const megabytes = ({ min, max, default: fallback }: Required<Pick<WholeNumberRule, 'min' | 'max'>> & { readonly default: number }, what: string) =>
  wholeNumberSetting({ min, max, unit: 'MiB' }, fallback, what);

/** `<registry>/<path>:<tag>` or `...@sha256:<digest>`; `latest` and untagged refs are refused (pinned images only). */
export const IMAGE_REF = /^(?:[a-z0-9.-]+(?::\d+)?\/)?[a-z0-9._/-]+(?::(?!latest$)[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[a-f0-9]{64})$/;

const imageRef = z
  .string()
  .regex(IMAGE_REF, { error: 'must be a pinned image reference such as "nginx:1.28.0-alpine" or "name@sha256:<digest>" (no "latest", no missing tag)' });

export { COMPONENTS, type Component } from '../../constructs/images.js';

/**
 * Default share of new traces sampled: one in ten keeps the services' tracing cost small
 * (`npm run bench` measures tracing at 100% and at this ratio) while a route with a few requests a second still shows its latency in the APM
 * app; raise it per environment, or send a sampled `traceparent` to trace one request for sure.
 */
export const DEFAULT_TRACE_SAMPLE_RATIO = 0.1;

export const EnvironmentConfigSchema = z
  .object({
    projectName: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,18}[a-z0-9]$/, {
        error: 'must be 2-20 characters of lower-case letters, digits and "-", starting with a letter',
      })
      .default('elk')
      .describe('Prefix of every Docker resource name (containers, volumes, network): `<projectName>-<environment>-…`.'),
    elasticVersion: z
      .string()
      .regex(/^(8|9)\.\d+\.\d+$/, { error: 'must be an exact Elastic Stack release such as "9.5.3" (8.x or 9.x)' })
      .default(DEFAULT_ELASTIC_VERSION)
      .describe('The one version of Elasticsearch, Logstash, Kibana and Filebeat images.'),
    bindAddress: z
      .ipv4({ error: 'must be an IPv4 address such as "127.0.0.1"' })
      .default(DEFAULT_BIND_ADDRESS)
      .describe('Host address published ports bind to. Keep 127.0.0.1 unless the platform must be reachable from other hosts.'),
    ports: z
      .strictObject({
        nginx: port(NGINX_DEFAULT_LISTEN_PORT, 'nginx (the API entry point)'),
        kibana: port(KIBANA_PORT, 'Kibana'),
        elasticsearch: port(ELASTICSEARCH_HTTP_PORT, 'Elasticsearch (the Elastic configuration stack connects here)'),
      })
      .prefault({})
      .describe('Published host ports.'),
    elasticsearch: z
      .strictObject({
        nodes: z
          .union([z.literal(1), z.literal(3)], { error: 'must be 1 (single node) or 3 (a three-node cluster)' })
          .default(1)
          .describe('Elasticsearch nodes: 1, or 3 for a real multi-node cluster.'),
        heapMb: megabytes(ELASTICSEARCH_HEAP_MB, 'JVM heap of each Elasticsearch node (MiB); the container limit is twice this.'),
      })
      .prefault({})
      .describe('Elasticsearch settings.'),
    logstash: z
      .strictObject({
        heapMb: megabytes(LOGSTASH_HEAP_MB, 'JVM heap of Logstash (MiB); the container limit is twice this.'),
      })
      .prefault({})
      .describe('Logstash settings.'),
    kibana: z
      .strictObject({
        memoryMb: megabytes(KIBANA_MEMORY_MB, 'Memory limit of the Kibana container (MiB).'),
      })
      .prefault({})
      .describe('Kibana settings.'),
    monitoring: z
      .strictObject({
        dockerMetrics: z
          .boolean({ error: 'must be true or false' })
          .default(false)
          .describe(
            'Also collect container metrics (CPU, memory, network, disk I/O, health) with Metricbeat\'s docker module. This mounts the Docker Engine socket into the Metricbeat container and runs it as root: whoever controls that socket is root on the Docker host, so a compromised Metricbeat would own the host. Off: Stack Monitoring only, no socket.',
          ),
        memoryMb: megabytes(METRICBEAT_MEMORY_MB, 'Memory limit of the Metricbeat container (MiB).'),
      })
      .prefault({})
      .describe('Stack monitoring (Metricbeat).'),
    images: z
      .strictObject({
        registryMirror: z
          .string()
          .regex(/^[a-z0-9.-]+(?::\d+)?(?:\/[a-z0-9._-]+)*$/, {
            error: 'must be a registry host with optional port and path, e.g. "mirror.internal:5000/dockerhub"',
          })
          .optional()
          .describe('Registry prefix every default image is pulled through (a private mirror), the services\' `node` base image included. Unset: the public registries.'),
        npmRegistry: z
          .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as "https://npm.mirror.internal/"' })
          // Build args are kept in the image history (`docker history`): no credentials in the URL.
          .refine((url) => !/^[a-z]+:\/\/[^/]*@/i.test(url), { error: 'must not contain credentials (build args are visible in the image history)' })
          .optional()
          .describe('npm registry (an http(s) URL without credentials: build args stay in the image history) that `npm ci` installs the service images\' dependencies from. package-lock.json records no registry URLs, only integrity hashes, so every package comes from it. Unset: npm\'s default, registry.npmjs.org.'),
        overrides: z
          .partialRecord(z.enum(COMPONENTS, { error: `must be one of: ${COMPONENTS.join(', ')}` }), imageRef)
          .default({})
          .describe('Full image reference per component (`node`: the services\' base image), replacing the default (and the mirror) for that component.'),
      })
      .prefault({})
      .describe('Where images come from.'),
    replicas: z
      .record(
        z.string().regex(SERVICE_NAME_PATTERN, { error: 'must be a declared service name' }),
        wholeNumber({ min: 1, max: 10 }),
      )
      .default({})
      .describe('Replicas per service, by service name; a service not listed runs 1.'),
    logRetentionDays: wholeNumberSetting({ min: 1, max: 3650, unit: 'days' }, 30, 'Days a log index is kept after rollover before the ILM policy deletes it.'),
    rollover: z
      .strictObject({
        maxAge: z
          .string()
          .regex(/^[1-9]\d*(d|h)$/, { error: 'must be a duration in hours or days such as "1d" or "12h"' })
          .default('1d')
          .describe('Roll the write index over after this age.'),
        maxPrimaryShardSize: z
          .string()
          .regex(/^[1-9]\d*(mb|gb)$/, { error: 'must be a size such as "10gb" or "500mb"' })
          .default('10gb')
          .describe('Roll the write index over when a primary shard reaches this size.'),
      })
      .prefault({})
      .describe('ILM hot-phase rollover.'),
    tracing: z
      .strictObject({
        enabled: z
          .boolean({ error: 'must be true or false' })
          .default(true)
          .describe('Run APM Server and point the services\' OpenTelemetry export at it. `false`: no APM Server, and the services get no `OTEL_*` variables (tracing off).'),
        sampleRatio: z
          .number({ error: 'must be a number from 0 to 1' })
          .min(0, { error: 'must be a number from 0 to 1' })
          .max(1, { error: 'must be a number from 0 to 1' })
          .default(DEFAULT_TRACE_SAMPLE_RATIO)
          .describe('Share of new traces the services sample (`OTEL_TRACES_SAMPLER_ARG`, parent-based ratio sampler): a request whose `traceparent` is marked sampled is always traced whole.'),
        apmServerMemoryMb: megabytes(APM_SERVER_MEMORY_MB, 'Memory limit of the APM Server container (MiB); APM Server keeps its Go heap under 90% of it.'),
      })
      .prefault({})
      .describe('Traces: OpenTelemetry from the services to APM Server, viewed in Kibana\'s APM app.'),
    alerts: z
      .strictObject({
        errorThreshold: wholeNumberSetting({ min: 1, unit: 'error lines' }, 10, 'Error log lines per service within the window that fire the alert.'),
        windowMinutes: wholeNumberSetting({ min: 1, max: 1440, unit: 'minutes' }, 5, 'Window the error count is taken over (minutes).'),
        clusterHealthMinutes: wholeNumber({ min: 1, max: 1440, unit: 'minutes' })
          .default(5)
          .describe(
            'Minutes the cluster must stay unhealthy before the cluster-health alert fires: red, or also yellow with 3 Elasticsearch nodes (where every shard has a replica).',
          ),
        licence: z
          .enum(ELASTIC_LICENCES)
          .default('basic')
          .describe(
            'Elastic licence the cluster runs. The platform starts the self-generated Basic licence; declare another only once it is installed (POST _license). `trial`: POST _license/start_trial (once per major version); it expires after 30 days, the cluster reverts to Basic and the webhook connector stops sending: then unset `alerts.webhook` and set this back to `basic`.',
          ),
        webhook: z
          .enum(ALERT_WEBHOOK_KINDS, { error: 'must be "slack" or "generic"; the URL itself is a secret and goes in TF_VAR_alert_webhook_url, never in an environment file' })
          .optional()
          .describe(
            'Also post alerts to a webhook: `slack` (incoming webhook) or `generic` (JSON POST). The URL is a secret, read from the sensitive Terraform variable `alert_webhook_url` (TF_VAR_alert_webhook_url). Needs `alerts.licence` gold or higher (or trial). Unset: server log and index connectors only.',
          ),
      })
      .prefault({})
      .describe('The alert rules (error spike per service, cluster health).'),
    snapshots: z
      .strictObject({
        schedule: checkedString(cronProblem, 'must be an Elasticsearch cron expression')
          .default('0 30 1 * * ?')
          .describe(
            'When the snapshot lifecycle policy takes a snapshot: an Elasticsearch cron expression (`sec min hour day-of-month month day-of-week [year]`, UTC, one of the day fields `?`). Default: nightly at 01:30.',
          ),
        retention: z
          .strictObject({
            expireAfterDays: wholeNumberSetting({ min: 1, max: 3650, unit: 'days' }, 30, 'Days after which SLM retention may delete a snapshot.'),
            minCount: wholeNumberSetting({ min: 1, max: 1000 }, 7, 'Snapshots kept even when expired (a week of nightly ones), so a stopped schedule never empties the repository.'),
            maxCount: wholeNumberSetting({ min: 1, max: 1000 }, 30, 'Snapshots kept at most even before they expire: 30 nightly ones, the age limit\'s worth; it only bites with a more frequent schedule.'),
          })
          .prefault({})
          .superRefine((r, ctx) => {
            if (r.minCount > r.maxCount) {
              ctx.addIssue({ code: 'custom', path: ['minCount'], message: `must not exceed snapshots.retention.maxCount (got ${r.minCount} > ${r.maxCount})` });
            }
          })
          .describe('SLM retention of the snapshots.'),
        s3: z
          .strictObject({
            bucket: z
              .string({ error: 'is required: the S3 bucket the snapshots go to' })
              .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be an S3 bucket name (3-63 lower-case letters, digits, "." and "-")' })
              .describe('S3 bucket of the repository (it must exist).'),
            basePath: z
              .string()
              .regex(/^[^/].*[^/]$|^[^/]$/, { error: 'must be a key prefix without leading or trailing "/"' })
              .optional()
              .describe('Key prefix of the repository in the bucket. Unset: the bucket root.'),
            endpoint: z
              .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as "https://s3.eu-west-1.amazonaws.com"' })
              .optional()
              .describe('S3 service endpoint (an S3-compatible store such as MinIO). Unset: AWS S3.'),
            region: z
              .string()
              .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: 'must be a region such as "eu-west-1"' })
              .optional()
              .describe('Region the requests are signed for. Unset: Elasticsearch works it out from the endpoint.'),
            pathStyleAccess: z.boolean().default(false).describe('Address the bucket in the path instead of the host name (most S3-compatible stores).'),
          })
          .optional()
          .describe(
            'Keep snapshots in S3 instead of the shared-filesystem volume. The credentials are secrets: TF_VAR_snapshot_s3_access_key and TF_VAR_snapshot_s3_secret_key for the platform stack, which puts them in every node\'s keystore. Unset: the `<namePrefix>-snapshots` volume.',
          ),
      })
      .prefault({})
      .describe('Elasticsearch snapshots: repository and snapshot lifecycle policy.'),
    backups: z
      .strictObject({
        postgres: z
          .strictObject({
            // The construct's own rule (what go-cron parses as meant), so the message is the same.
            schedule: checkedString(cronScheduleProblem, 'must be a 5-field cron expression or a descriptor')
              .default('@daily')
              .describe('When each service database is dumped: 5 cron fields (minute hour day-of-month month day-of-week) or a descriptor (`@daily`, `@every 6h`), in UTC. Default: every midnight UTC.'),
            keepDays: wholeNumberSetting({ min: 1, max: 3650, unit: 'days' }, 7, 'Days each dump is kept (the newest of each day in `daily/`, every single dump in `last/`).'),
            keepWeeks: wholeNumberSetting({ min: 0, max: 520, unit: 'weeks' }, 4, 'Weeks the newest dump of each ISO week is kept (`weekly/`); 0: none beyond the daily ones.'),
            keepMonths: wholeNumberSetting({ min: 0, max: 120, unit: 'months' }, 6, 'Months (of 31 days) the newest dump of each month is kept (`monthly/`); 0: none beyond the weekly ones.'),
            memoryMb: wholeNumberSetting({ min: 64, max: 4096, unit: 'MiB' }, 256, 'Memory limit of the Postgres backup container (MiB); pg_dump streams, so it needs little.'),
          })
          .prefault({})
          .describe('Scheduled pg_dump of every service database to the `<projectName>-<environment>-postgres-backups` volume.'),
      })
      .prefault({})
      .describe('Backups.'),
  })
  .strict();

/** Settings as written in an environment file (everything optional). */
export type EnvironmentSettings = z.input<typeof EnvironmentConfigSchema>;

/** Validated settings with every default filled in, plus the environment's name. */
export type EnvironmentConfig = z.output<typeof EnvironmentConfigSchema> & { readonly environment: string };
