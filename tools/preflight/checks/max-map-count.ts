import { readFile } from 'node:fs/promises';
import { dockerEndpoint, remoteDockerHost } from '../docker-api.js';
import { fail, pass, skip, type CheckContext, type CheckResult } from '../types.js';

const NAME = 'vm.max_map_count';

/** Elasticsearch's documented minimum; its bootstrap check enforces it on a multi-node cluster. */
export const ELASTICSEARCH_MIN_MAP_COUNT = 262144;

export const MAX_MAP_COUNT_FIX = [
  `sudo sysctl -w vm.max_map_count=${ELASTICSEARCH_MIN_MAP_COUNT}`,
  `persist it across reboots: echo 'vm.max_map_count=${ELASTICSEARCH_MIN_MAP_COUNT}' | sudo tee /etc/sysctl.d/99-elasticsearch.conf && sudo sysctl --system`,
  `Docker Desktop on Windows (WSL 2): wsl -d docker-desktop sysctl -w vm.max_map_count=${ELASTICSEARCH_MIN_MAP_COUNT}`,
] as const;

/** The kernel lets Elasticsearch map enough memory areas (vm.max_map_count >= 262144). */
export async function checkMaxMapCount({ config, host }: CheckContext): Promise<CheckResult> {
  const remote = remoteDockerHost(dockerEndpoint(host.env, host.homeDir));
  if (remote) return skip(NAME, `Docker runs on ${remote}: run there: ${MAX_MAP_COUNT_FIX[0]}`);
  let text: string;
  try {
    text = await readFile(host.maxMapCountPath, 'utf8');
  } catch {
    return skip(NAME, `${host.maxMapCountPath} not readable (not Linux?); on the Docker VM run: ${MAX_MAP_COUNT_FIX[0]}`);
  }
  const value = Number(text.trim());
  if (!Number.isInteger(value)) return skip(NAME, `${host.maxMapCountPath} holds "${text.trim()}", not a number`);
  if (value >= ELASTICSEARCH_MIN_MAP_COUNT) return pass(NAME, `${value}`);
  const effect =
    config.elasticsearch.nodes > 1
      ? `the ${config.elasticsearch.nodes} nodes refuse to start ("max virtual memory areas vm.max_map_count [${value}] is too low")`
      : 'a single node starts with a warning, then fails to map index files as the indices grow';
  return fail(NAME, `${value} is below the ${ELASTICSEARCH_MIN_MAP_COUNT} Elasticsearch needs: ${effect}`, MAX_MAP_COUNT_FIX);
}
