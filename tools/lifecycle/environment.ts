import { DEFAULT_ENVIRONMENT, ENVIRONMENT_VARIABLE } from '../../stacks/config/index.js';

export interface EnvironmentChoice {
  /** The environment to act on. */
  readonly environment: string;
  /** Where it came from, for messages. */
  readonly source: '--env' | typeof ENVIRONMENT_VARIABLE | 'default';
  /** The arguments left after removing `--env NAME` / `--env=NAME`. */
  readonly rest: string[];
}

/**
 * The environment is chosen by `--env NAME` (or `--env=NAME`), else by
 * PLATFORM_ENV, else the default (`dev`). The flag wins so a one-off command
 * does not need the variable changed.
 */
export function environmentFromArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): EnvironmentChoice {
  const rest: string[] = [];
  let flag: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--env' || arg === '-e') {
      flag = argv[++i];
      if (flag === undefined || flag.startsWith('-')) throw new Error(`${arg} needs an environment name, e.g. ${arg} staging`);
    } else if (arg.startsWith('--env=')) {
      flag = arg.slice('--env='.length);
    } else {
      rest.push(arg);
    }
  }
  if (flag) return { environment: flag, source: '--env', rest };
  const fromVariable = env[ENVIRONMENT_VARIABLE]?.trim();
  if (fromVariable) return { environment: fromVariable, source: ENVIRONMENT_VARIABLE, rest };
  return { environment: DEFAULT_ENVIRONMENT, source: 'default', rest };
}
