import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ALERT_WEBHOOK_URL_VARIABLE } from '../../stacks/elastic-stack.js';
import { synthElasticStack } from '../support/elasticstack-schema-fixture.js';
import { terraformAvailable } from '../support/terraform.js';


const work = mkdtempSync(join(tmpdir(), 'alert-webhook-terraform-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * The real Terraform reads the Slack webhook's synthesized variables, version floor and the
 * expression the connector's write-only secrets_wo takes (no provider is needed for these;
 * the connector itself is left out, its provider cannot be downloaded here).
 */
describe.runIf(terraformAvailable())('Slack webhook variables under the real terraform', () => {
  const { tf } = synthElasticStack('dev', { settings: { alerts: { licence: 'gold', webhook: 'slack' } } });
  const json = tf as unknown as {
    terraform: { required_version?: string };
    variable: Record<string, unknown>;
    resource: Record<string, Record<string, { connector_type_id?: string; secrets_wo?: string }>>;
  };
  const slack = Object.values(json.resource.elasticstack_kibana_action_connector ?? {}).find((c) => c.connector_type_id === '.slack')!;

  function plan(extra: Record<string, unknown>, env: Record<string, string>): { ok: boolean; output: string } {
    const dir = mkdtempSync(join(work, 'case-'));
    writeFileSync(
      join(dir, 'main.tf.json'),
      JSON.stringify({ terraform: { required_version: json.terraform.required_version }, variable: json.variable, locals: { slack_secrets: slack.secrets_wo }, ...extra }),
    );
    const tfEnv = { ...process.env, TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: '/dev/null', ...env };
    try {
      execFileSync('terraform', ['init', '-input=false', '-no-color', '-backend=false'], { cwd: dir, env: tfEnv, stdio: 'pipe' });
      return { ok: true, output: execFileSync('terraform', ['plan', '-input=false', '-no-color'], { cwd: dir, env: tfEnv, stdio: 'pipe' }).toString() };
    } catch (error) {
      return { ok: false, output: String((error as { stderr?: Buffer }).stderr ?? error) };
    }
  }
  const url = { [`TF_VAR_${ALERT_WEBHOOK_URL_VARIABLE}`]: 'https://hooks.slack.com/services/T/B/x' };

  it('accepts an http(s) URL and refuses anything else with the variable named', { timeout: 60_000 }, () => {
    expect(plan({}, url)).toMatchObject({ ok: true });
    const bad = plan({}, { [`TF_VAR_${ALERT_WEBHOOK_URL_VARIABLE}`]: 'hooks.slack.com/no-scheme' });
    expect(bad.ok).toBe(false);
    expect(bad.output).toContain(`${ALERT_WEBHOOK_URL_VARIABLE} must be an http(s) URL`);
  });

  it('treats the URL as ephemeral: an ordinary output that would store it is refused', { timeout: 60_000 }, () => {
    const leak = plan({ output: { leak: { value: '${local.slack_secrets}', sensitive: true } } }, url);
    expect(leak.ok).toBe(false);
    expect(leak.output).toMatch(/[Ee]phemeral value not allowed/);
  });
});
