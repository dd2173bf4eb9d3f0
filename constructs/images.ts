/**
 * Default images, pinned to maintained releases (tags as listed in docker-library/official-images
 * library/{node,postgres,redis,nginx} at 37079fb, 2026-08-21). Elastic images follow one Elastic
 * Stack version (`DEFAULT_ELASTIC_VERSION` unless given).
 * - node: 24 "krypton", the LTS line there (supported to 2028-04-30, nodejs/docker-node versions.json);
 *   the base image of the service images (services/Dockerfile, build arg NODE_IMAGE).
 * - postgres: newest 17.x, not 18. 18 moved PGDATA to /var/lib/postgresql/18/docker and its
 *   entrypoint refuses to initialise while /var/lib/postgresql/data is a mount (docker-library/postgres
 *   6edb0a8, 18/alpine3.23/Dockerfile L202-205, docker-entrypoint.sh L248-257); and a data volume
 *   written by 17 needs pg_upgrade before 18 can open it. 17 is supported to November 2029.
 * - redis: newest 7.4.x, not 8. Redis 8 puts the Query Engine, JSON, time-series and probabilistic
 *   commands into @read and @write (redis.io "Potentially breaking changes to ACLs") and its image
 *   loads those modules by default, so the service users' `+@read +@write` (constructs/redis.ts) would
 *   also allow FT.SEARCH, JSON.SET, ...; the ACL must exclude them before moving to 8.
 * - nginx: the stable line (1.30), which has `resolve` on upstream servers (constructs/nginx-config.ts).
 * - postgres-backup: prodrigestivill/postgres-backup-local, the build of its main branch at d257e5d
 *   (2025-09-26): the publish job tags each build `<major>-alpine-<commit>` besides the moving
 *   `17-alpine` (prodrigestivill/docker-postgres-backup-local@d257e5d .github/workflows/ci.yml,
 *   generate-docker-bake.sh), so this tag names one build. It is `FROM postgres:17-alpine`
 *   (alpine.Dockerfile), which was 17.6 on alpine 3.22 then (docker-library/postgres@a2433755c7
 *   17/alpine3.22/Dockerfile): pg_dump of the server's major version, and gosu and bash inside.
 */

/** The Elastic Stack release the Elastic images default to (the settings' `elasticVersion` default too). */
export const DEFAULT_ELASTIC_VERSION = '9.5.3';

/** What the platform pulls: the components it runs, and `node`, the base image the service images are built from. */
export const COMPONENTS = ['postgres', 'redis', 'elasticsearch', 'logstash', 'kibana', 'filebeat', 'metricbeat', 'apm-server', 'nginx', 'node', 'postgres-backup'] as const;
export type Component = (typeof COMPONENTS)[number];

/** The pinned default image of `component`; Elastic components at `elasticVersion`. */
export function defaultImage(component: Component, elasticVersion: string = DEFAULT_ELASTIC_VERSION): string {
  switch (component) {
    case 'node':
      return 'node:24.19.0-trixie-slim';
    case 'postgres':
      return 'postgres:17.11-alpine3.24';
    case 'postgres-backup':
      return 'prodrigestivill/postgres-backup-local:17-alpine-d257e5d';
    case 'redis':
      return 'redis:7.4.11-alpine3.21';
    case 'nginx':
      return 'nginx:1.30.4-alpine3.24';
    case 'elasticsearch':
      return `docker.elastic.co/elasticsearch/elasticsearch:${elasticVersion}`;
    case 'logstash':
      return `docker.elastic.co/logstash/logstash:${elasticVersion}`;
    case 'kibana':
      return `docker.elastic.co/kibana/kibana:${elasticVersion}`;
    case 'filebeat':
      return `docker.elastic.co/beats/filebeat:${elasticVersion}`;
    case 'metricbeat':
      return `docker.elastic.co/beats/metricbeat:${elasticVersion}`;
    case 'apm-server':
      return `docker.elastic.co/apm/apm-server:${elasticVersion}`;
  }
}
