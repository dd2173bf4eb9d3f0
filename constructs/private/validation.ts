import type { IConstruct } from 'constructs';

/**
 * A value the platform cannot be built with: a bad setting, prop or argument. Every fault is
 * one line, `<where>: <what> <rule> (got <value>)`, where `<where>` is the construct path
 * (`dev-platform/user-service`), the function, or the environment the value came from, so
 * the reader knows what to fix without a stack trace. One error may carry several faults
 * (every bad setting of an environment file at once).
 */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  /** Where the faults are: a construct path, a function's name or an environment. */
  readonly subject: string;
  /** One line per fault, each starting with where it is. */
  readonly faults: readonly string[];

  constructor(where: IConstruct | string, ...problems: [string, ...string[]]) {
    const subject = typeof where === 'string' ? where : where.node.path;
    const faults = problems.map((problem) => `${subject}: ${problem}`);
    super(faults.join('\n'));
    this.subject = subject;
    this.faults = faults;
  }
}

/**
 * Runs `build` (a renderer or other function a construct calls) and reports its faults at
 * `scope`: `dev-platform/nginx: renderNginxConfig: routes must ...`, so the message still
 * starts with the construct path. Faults of `scope` or of constructs below it pass unchanged.
 */
export function reportedAt<T>(scope: IConstruct, build: () => T): T {
  try {
    return build();
  } catch (error) {
    const path = scope.node.path;
    if (!(error instanceof ValidationError) || error.subject === path || error.subject.startsWith(`${path}/`)) throw error;
    const [first, ...rest] = error.faults;
    throw new ValidationError(scope, first!, ...rest);
  }
}

export interface WholeNumberRule {
  /** Smallest allowed value. */
  readonly min: number;
  /** Largest allowed value. @default no upper bound */
  readonly max?: number;
  /** Unit named in the message, e.g. `MiB`, `hours`. @default none */
  readonly unit?: string;
}

/** `must be a whole number [of <unit>] from <min> to <max>` or `..., at least <min>`: the rule as the messages word it. */
export function describeWholeNumber(rule: WholeNumberRule): string {
  const what = rule.unit === undefined ? 'a whole number' : `a whole number of ${rule.unit}`;
  return rule.max === undefined ? `${what}, at least ${rule.min}` : `${what} from ${rule.min} to ${rule.max}`;
}

/**
 * Returns `value` when it is a whole number within `rule`; otherwise throws a ValidationError
 * at `where` naming `name`, the rule and the value.
 */
export function requireWholeNumber(where: IConstruct | string, name: string, value: number, rule: WholeNumberRule): number {
  if (!Number.isInteger(value) || value < rule.min || (rule.max !== undefined && value > rule.max)) {
    throw new ValidationError(where, `${name} must be ${describeWholeNumber(rule)} (got ${value})`);
  }
  return value;
}

/** `requireWholeNumber` for an optional prop: `rule.default` when the prop is unset. */
export function wholeNumberProp(where: IConstruct, name: string, value: number | undefined, rule: WholeNumberRule & { readonly default: number }): number {
  return requireWholeNumber(where, name, value ?? rule.default, rule);
}
