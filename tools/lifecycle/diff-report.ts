/** Marker that identifies the one PR comment the workflow keeps updating (per environment). */
export function diffCommentMarker(environment: string): string {
  return `<!-- cdktf-diff:${environment} -->`;
}

/** One stack's part of the report: its plan, or why it cannot be planned yet. */
export type StackDiff = PlannedStack | UnplannableStack;

export interface PlannedStack {
  readonly stack: string;
  /** Exit code of `cdktf diff`. */
  readonly exitCode: number;
  readonly output: string;
}

/** A stack whose dependencies are not deployed yet (see tools/lifecycle/remote-state.ts). */
export interface UnplannableStack {
  readonly stack: string;
  /** Why, in plain words: what it reads from which undeployed stack. */
  readonly cannotPlan: string;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** cdktf's progress spinner ("⠙  Processing") and stack counters, redrawn many times a second. */
const PROGRESS_LINE = /^\s*(?:[\u2800-\u28ff]\s+\w+|\d+ Stacks? \w+\s+\d+ Stacks? done\s+\d+ Stacks? waiting)\s*$/u;

/** The plan as a reader wants it: no colours, no progress redraws. */
export function cleanPlanOutput(output: string): string {
  return output
    .replace(ANSI, '')
    .split('\n')
    .filter((line) => !PROGRESS_LINE.test(line))
    .join('\n');
}

/** GitHub rejects comments over 65536 characters; the stacks' plans share this much of it. */
const OUTPUT_BUDGET_CHARS = 60_000;

/** The "Plan: 3 to add, 0 to change, 1 to destroy." summary, or "No changes." */
export function planSummary(output: string): string | undefined {
  const clean = output.replace(ANSI, '');
  const plan = /Plan: \d+ to add, \d+ to change, \d+ to destroy\./.exec(clean);
  if (plan) return plan[0];
  if (/No changes\./.test(clean)) return 'No changes.';
  return undefined;
}

function tail(text: string, max: number): string {
  if (text.length <= max) return text;
  return `… (${text.length - max} characters cut; the full plan is in the workflow log)\n${text.slice(-max)}`;
}

/** Markdown body of the PR comment: one section per stack with its plan summary and output. */
export function renderDiffReport(environment: string, diffs: readonly StackDiff[], context: { readonly commit?: string } = {}): string {
  const lines = [diffCommentMarker(environment), `## \`cdktf diff\` for environment \`${environment}\``];
  if (context.commit) lines.push('', `Commit ${context.commit}.`);
  const budget = Math.floor(OUTPUT_BUDGET_CHARS / Math.max(1, diffs.length));
  for (const diff of diffs) {
    if ('cannotPlan' in diff) {
      lines.push('', `### ${diff.stack}: not planned yet`, '', ...diff.cannotPlan.split('\n').map((line) => `- ${line}`));
      continue;
    }
    const output = cleanPlanOutput(diff.output).replace(/```/g, "'''").trimEnd();
    const summary = diff.exitCode === 0 ? (planSummary(output) ?? 'diff finished') : `**diff failed** (exit code ${diff.exitCode})`;
    lines.push('', `### ${diff.stack}: ${summary}`, '', '<details><summary>plan output</summary>', '', '```text', tail(output, budget), '```', '', '</details>');
  }
  return `${lines.join('\n')}\n`;
}
