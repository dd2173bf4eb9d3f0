import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { defaultImage } from '../../constructs/images.js';
import { ENVIRONMENTS, loadEnvironmentConfig } from '../../stacks/config/index.js';
import { renderDiffReport } from '../../tools/lifecycle/diff-report.js';

// The workflows cannot run here; these tests hold them to what they must do and
// run the comment script against a stand-in for the GitHub API.

interface Step {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
  readonly if?: string;
  readonly id?: string;
  readonly 'continue-on-error'?: boolean;
}
interface Job {
  readonly needs?: string | string[];
  readonly services?: Record<string, { image: string; ports?: string[]; env?: Record<string, string> }>;
  readonly strategy?: { matrix?: { environment?: string[] } };
  readonly steps: Step[];
}
interface Workflow {
  readonly on: Record<string, { branches?: string[] } | null>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

function loadWorkflow(name: string): Workflow {
  const document = parseDocument(readFileSync(new URL(`../../.github/workflows/${name}`, import.meta.url), 'utf8'), { uniqueKeys: true });
  expect(document.errors.map((e) => e.message)).toEqual([]);
  return document.toJS() as Workflow;
}

const environments = Object.keys(ENVIRONMENTS);
const elasticVersion = loadEnvironmentConfig('dev').elasticVersion;

function runs(job: Job): string[] {
  return job.steps.flatMap((step) => (step.run ? [step.run] : []));
}

function uses(job: Job, action: string): Step {
  const step = job.steps.find((s) => s.uses?.split('@')[0] === action);
  expect(step, `a step using ${action}`).toBeDefined();
  return step!;
}

/** Postgres and Redis as the tests expect them, on the images the platform deploys. */
function expectTestJob(job: Job): void {
  expect(job.services?.postgres).toMatchObject({ image: defaultImage('postgres', elasticVersion), ports: ['5432:5432'], env: { POSTGRES_HOST_AUTH_METHOD: 'trust' } });
  expect(job.services?.redis).toMatchObject({ image: defaultImage('redis', elasticVersion), ports: ['6379:6379'] });
  // The Node line the service images run (their base image), so CI tests what ships.
  const imageNodeMajor = Number(/^node:(\d+)\./.exec(defaultImage('node'))![1]);
  expect(uses(job, 'actions/setup-node').with).toMatchObject({ 'node-version': imageNodeMajor });
  const commands = runs(job);
  const order = ['npm ci', 'npm run build', 'npm test'].map((command) => commands.indexOf(command));
  expect(order.every((index) => index >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  const synth = commands.find((command) => command.includes('npm run synth'));
  expect(synth).toBeDefined();
  for (const environment of environments) expect(synth).toMatch(new RegExp(`\\b${environment}\\b`));
}

describe('pull-request workflow', () => {
  const workflow = loadWorkflow('pr.yml');

  it('runs on pull requests with the permission to comment', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.permissions).toMatchObject({ 'pull-requests': 'write', contents: 'read' });
  });

  it('installs, builds, tests and synthesizes every environment', () => {
    expectTestJob(workflow.jobs.test!);
  });

  it('diffs every environment with an unwrapped Terraform and writes the comment report', () => {
    const diff = workflow.jobs.diff!;
    expect(diff.needs).toBe('test');
    expect(diff.strategy?.matrix?.environment).toEqual(environments);
    expect(uses(diff, 'hashicorp/setup-terraform').with).toMatchObject({ terraform_wrapper: false });
    const step = diff.steps.find((s) => s.run?.includes('npm run diff'));
    expect(step?.run).toContain('--report cdktf-diff.md');
    expect(step?.run).toContain('--env "$PLATFORM_ENV"');
    expect(runs(diff)).toEqual(expect.arrayContaining(['npm ci', 'npm run build']));
    expect(uses(diff, 'actions/github-script').if).toContain('always()');
  });

  describe('comment script', () => {
    const script = String(uses(workflow.jobs.diff!, 'actions/github-script').with?.script);
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'pr-comment-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    interface Comment {
      id: number;
      body: string;
      user: { type: string };
    }

    /** Runs the script body as actions/github-script does, against an in-memory issue. */
    async function runScript(existing: Comment[]) {
      const comments = existing.map((c) => ({ ...c }));
      const failures: string[] = [];
      const calls: string[] = [];
      const github = {
        paginate: async (method: (args: unknown) => Promise<{ data: Comment[] }>, args: unknown) => (await method(args)).data,
        rest: {
          issues: {
            listComments: async () => ({ data: comments }),
            updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => {
              calls.push(`update ${comment_id}`);
              comments.find((c) => c.id === comment_id)!.body = body;
            },
            createComment: async ({ issue_number, body }: { issue_number: number; body: string }) => {
              calls.push(`create on #${issue_number}`);
              const comment = { id: 100 + comments.length, body, user: { type: 'Bot' } };
              comments.push(comment);
              return { data: comment };
            },
          },
        },
      };
      const context = { repo: { owner: 'acme', repo: 'platform' }, issue: { number: 7 } };
      const core = { setFailed: (message: string) => failures.push(message), info: () => {} };
      // Relative paths resolve in the job's working directory; here, the temp dir.
      const requireStub = (name: string) => {
        expect(name).toBe('fs');
        return { existsSync: (p: string) => fs.existsSync(join(dir, p)), readFileSync: (p: string, e: BufferEncoding) => fs.readFileSync(join(dir, p), e) };
      };
      const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<unknown>;
      await new AsyncFunction('github', 'context', 'core', 'require', script)(github, context, core, requireStub);
      return { comments, calls, failures };
    }

    const report = (environment: string, text: string) => renderDiffReport(environment, [{ stack: `${environment}-platform`, exitCode: 0, output: text }]);

    it('creates the comment on the first run', async () => {
      writeFileSync(join(dir, 'cdktf-diff.md'), report('dev', 'Plan: 9 to add, 0 to change, 0 to destroy.'));
      const { calls, comments } = await runScript([{ id: 1, body: 'LGTM', user: { type: 'User' } }]);
      expect(calls).toEqual(['create on #7']);
      expect(comments.at(-1)?.body).toContain('Plan: 9 to add');
    });

    it("updates its own environment's comment instead of adding another", async () => {
      writeFileSync(join(dir, 'cdktf-diff.md'), report('dev', 'No changes.'));
      const { calls, comments } = await runScript([
        { id: 1, body: report('staging', 'Plan: 1 to add, 0 to change, 0 to destroy.'), user: { type: 'Bot' } },
        { id: 2, body: `quoting:\n${report('dev', 'old')}`, user: { type: 'User' } },
        { id: 3, body: report('dev', 'Plan: 9 to add, 0 to change, 0 to destroy.'), user: { type: 'Bot' } },
      ]);
      expect(calls).toEqual(['update 3']);
      expect(comments.find((c) => c.id === 3)?.body).toContain('No changes.');
      expect(comments.find((c) => c.id === 1)?.body).toContain('Plan: 1 to add');
    });

    it('fails the step when the diff wrote no report', async () => {
      const { calls, failures } = await runScript([]);
      expect(calls).toEqual([]);
      expect(failures[0]).toMatch(/was not written/);
    });
  });
});

describe('main workflow', () => {
  const workflow = loadWorkflow('main.yml');

  it('runs on pushes to main', () => {
    expect(workflow.on).toEqual({ push: { branches: ['main'] } });
  });

  it('installs, builds, tests and synthesizes every environment', () => {
    expectTestJob(workflow.jobs.test!);
  });
});
