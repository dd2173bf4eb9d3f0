import { resolve } from 'node:path';
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { SERVICES } from '../services/shared/src/catalog.js';
import { createStacks } from '../stacks/app.js';
import { loadEnvironmentConfig } from '../stacks/config/index.js';
import { kibanaCaCertificateProjectPath } from '../stacks/elastic-stack.js';
import { PLATFORM_CA_OUTPUT } from '../tools/lifecycle/ca-handoff.js';

// `npm run deploy` hands the platform CA to the elastic stack through a file
// (tools/lifecycle/ca-handoff.ts); both stacks must agree with it.
describe('CA handoff between the stacks', () => {
  const config = loadEnvironmentConfig('dev');
  const { platform, elastic } = createStacks(Testing.app(), config, SERVICES);

  it('the platform stack outputs the CA PEM under the name the deploy reads', () => {
    const synthesized = JSON.parse(Testing.synth(platform)) as { output: Record<string, { value: string; sensitive?: boolean }> };
    expect(synthesized.output[PLATFORM_CA_OUTPUT]?.value).toMatch(/^\$\{tls_self_signed_cert\.[^}]+\.cert_pem\}$/);
    expect(synthesized.output[PLATFORM_CA_OUTPUT]?.sensitive).not.toBe(true);
  });

  it("the elastic stack's Kibana provider reads the file the deploy writes", () => {
    const synthesized = JSON.parse(Testing.synth(elastic)) as { provider: { elasticstack: { kibana?: { ca_certs?: string[] }[] }[] } };
    const caCerts = synthesized.provider.elasticstack[0]?.kibana?.[0]?.ca_certs ?? [];
    expect(caCerts).toHaveLength(1);
    // Terraform runs in cdktf.out/stacks/<stack>; ${path.root} is that directory.
    const project = '/project';
    const stackDir = `${project}/cdktf.out/stacks/dev-elastic`;
    expect(resolve(caCerts[0]!.replace('${path.root}', stackDir))).toBe(resolve(project, kibanaCaCertificateProjectPath('dev')));
  });
});
