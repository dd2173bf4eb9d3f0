/** Reading the services' JSON log files and checking lines against the log contract in DESIGN.md. */
import { readFile } from 'node:fs/promises';
import type { ServiceName } from './services.js';

/** The JSON log lines in a file, parsed (empty when the file does not exist yet). */
export async function readLogLines(file: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Reads an ECS field written either dotted (`"log.level"`) or nested (`{ log: { level } }`). */
export function ecsField(line: Record<string, unknown>, path: string): unknown {
  if (path in line) return line[path];
  const [head, ...rest] = path.split('.');
  const inner = line[head!];
  return rest.length && inner && typeof inner === 'object' ? ecsField(inner as Record<string, unknown>, rest.join('.')) : undefined;
}

/** What a line lacks to satisfy the log contract in DESIGN.md (empty when it complies). */
export function logContractViolations(line: Record<string, unknown>, service: ServiceName): string[] {
  const problems: string[] = [];
  const timestamp = ecsField(line, '@timestamp');
  if (typeof timestamp !== 'string' || Number.isNaN(Date.parse(timestamp))) problems.push('@timestamp is not a date');
  if (!/^[a-z]+$/.test(String(ecsField(line, 'log.level')))) problems.push('log.level is not a lower-case word');
  if (typeof ecsField(line, 'message') !== 'string') problems.push('message is missing');
  if (typeof ecsField(line, 'ecs.version') !== 'string') problems.push('ecs.version is missing');
  if (ecsField(line, 'service.name') !== service) problems.push(`service.name is not ${service}`);
  if (typeof ecsField(line, 'service.environment') !== 'string') problems.push('service.environment is missing');
  return problems;
}
