import { z } from 'zod';
import { ENVIRONMENT_NAME_PATTERN, SERVICES, type ServiceDeclaration } from '@platform/contract';
import { DEFAULT_ENVIRONMENT, ENVIRONMENTS } from './environments.js';
import { EnvironmentConfigSchema, type EnvironmentConfig, type EnvironmentSettings } from './schema.js';
import { ValidationError } from '../../constructs/private/validation.js';

export * from './schema.js';
export { DEFAULT_ENVIRONMENT, ENVIRONMENTS } from './environments.js';

/** Environment variable that selects the environment (`dev` when unset). */
export const ENVIRONMENT_VARIABLE = 'PLATFORM_ENV';

/** `<projectName>-<environment>`: the prefix of every Docker resource name of the environment. */
export function namePrefixOf(config: Pick<EnvironmentConfig, 'projectName' | 'environment'>): string {
  return `${config.projectName}-${config.environment}`;
}

/** The keys the schema allows at `path` (object fields or enum record keys), for "unknown setting" messages. */
function allowedKeysAt(path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType = EnvironmentConfigSchema;
  const unwrap = (s: z.core.$ZodType): z.core.$ZodType => {
    const def = s._zod.def as { innerType?: z.core.$ZodType };
    return def.innerType ? unwrap(def.innerType) : s;
  };
  for (const key of path) {
    const def = unwrap(schema)._zod.def as { shape?: Record<string, z.core.$ZodType>; valueType?: z.core.$ZodType };
    const next = def.shape?.[String(key)] ?? def.valueType;
    if (!next) return [];
    schema = next;
  }
  const def = unwrap(schema)._zod.def as { shape?: Record<string, unknown>; keyType?: z.core.$ZodType };
  if (def.shape) return Object.keys(def.shape);
  const keyDef = def.keyType?._zod.def as { entries?: Record<string, string> } | undefined;
  return keyDef?.entries ? Object.values(keyDef.entries) : [];
}

/** What an environment's faults are reported at: `environment "dev"`. */
function environmentSubject(environment: string): string {
  return `environment "${environment}"`;
}

/** One fault as `<setting> <rule>`, e.g. `ports.nginx must be from 1024 to 65535`. */
function formatIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.join('.');
  const allowed = issue.code === 'unrecognized_keys' ? allowedKeysAt(issue.path) : [];
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown setting(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}; ` +
        (allowed.length > 0 ? `allowed here: ${allowed.join(', ')}` : 'check the spelling against the settings table in README.md')
      : issue.message;
  return path === '' ? message : `${path} ${message}`;
}

/**
 * Validates `settings` for `environment` and fills in defaults.
 * Throws a ValidationError with one fault per bad setting, each naming the setting's path.
 */
export function resolveEnvironmentConfig(
  environment: string,
  settings: EnvironmentSettings,
  services: readonly ServiceDeclaration[] = SERVICES,
): EnvironmentConfig {
  if (!ENVIRONMENT_NAME_PATTERN.test(environment)) {
    throw new ValidationError(environmentSubject(environment), 'the name must be 2-16 lower-case letters or digits, starting with a letter (e.g. "dev", "staging")');
  }
  const parsed = EnvironmentConfigSchema.safeParse(settings);
  if (!parsed.success) {
    const [first, ...rest] = parsed.error.issues.map(formatIssue);
    throw new ValidationError(environmentSubject(environment), first!, ...rest);
  }
  const known = new Set(services.map((s) => s.name));
  for (const name of Object.keys(parsed.data.replicas)) {
    if (!known.has(name)) {
      throw new ValidationError(
        environmentSubject(environment),
        `replicas.${name} names no declared service; declared services: ${[...known].join(', ')}`,
      );
    }
  }
  return { ...parsed.data, environment };
}

/** Loads one of the shipped environments by name (default `dev`). */
export function loadEnvironmentConfig(environment: string = DEFAULT_ENVIRONMENT): EnvironmentConfig {
  const settings = (ENVIRONMENTS as Record<string, EnvironmentSettings>)[environment];
  if (settings === undefined) {
    throw new ValidationError(
      environmentSubject(environment),
      `no such environment (${ENVIRONMENT_VARIABLE}); known environments: ${Object.keys(ENVIRONMENTS).join(', ')}`,
    );
  }
  return resolveEnvironmentConfig(environment, settings);
}

/** Replicas of a service in this environment (1 unless configured). */
export function replicasOf(config: EnvironmentConfig, serviceName: string): number {
  return config.replicas[serviceName] ?? 1;
}
