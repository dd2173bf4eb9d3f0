import { describe, expect, it } from 'vitest';
import { ELASTICSTACK_PROVIDER_VERSION } from '../constructs/elastic/bindings/index.js';
import { checkStackAgainstSchema, type SynthesizedTerraform } from './support/elasticstack-schema-check.js';
import { ELASTICSTACK_SCHEMA } from './support/elasticstack-schema.js';
import { synthElasticStack } from './support/elasticstack-schema-fixture.js';

/** Every variant of the stack: both environments, and with each optional connector. */
const variants = {
  dev: () => synthElasticStack('dev'),
  staging: () => synthElasticStack('staging'),
  'dev with a webhook': () => synthElasticStack('dev', { settings: { alerts: { licence: 'gold', webhook: 'generic' } } }),
  'dev with Slack': () => synthElasticStack('dev', { settings: { alerts: { licence: 'gold', webhook: 'slack' } } }),
};

/** A deep copy of a synthesized stack, to break on purpose. */
const copy = (tf: SynthesizedTerraform): any => JSON.parse(JSON.stringify(tf));
const first = (tf: any, type: string): Record<string, any> => Object.values(tf.resource[type] as Record<string, any>)[0]!;

describe('synthesized elasticstack blocks conform to the pinned provider schema', () => {
  it.each(Object.keys(variants))('%s', (name) => {
    const { tf } = variants[name as keyof typeof variants]();
    expect(checkStackAgainstSchema(tf, ELASTICSTACK_SCHEMA)).toEqual([]);
  });

  it('covers every elasticstack resource type the stack declares', () => {
    const { tf } = synthElasticStack('dev', { settings: { alerts: { licence: 'gold', webhook: 'generic' } } });
    const used = Object.keys(tf.resource ?? {}).filter((t) => t.startsWith('elasticstack_'));
    expect(used.sort()).toEqual(Object.keys(ELASTICSTACK_SCHEMA.resources).sort());
    expect(ELASTICSTACK_SCHEMA.version).toBe(ELASTICSTACK_PROVIDER_VERSION);
  });
});

describe('the schema check catches', () => {
  const { tf } = synthElasticStack('dev');

  it('a misspelled attribute, naming it and the likely intent', () => {
    const broken = copy(tf);
    const template = first(broken, 'elasticstack_elasticsearch_index_template');
    template.index_pattern = template.index_patterns;
    delete template.index_patterns;
    const errors = checkStackAgainstSchema(broken, ELASTICSTACK_SCHEMA);
    expect(errors).toContainEqual(expect.stringMatching(/unknown attribute or block "index_pattern" \(did you mean "index_patterns"\?\)/));
    expect(errors).toContainEqual(expect.stringMatching(/required attribute "index_patterns" is missing/));
  });

  it('a misspelled attribute in a nested block', () => {
    const broken = copy(tf);
    const policy = first(broken, 'elasticstack_elasticsearch_index_lifecycle');
    policy.hot[0].rollover[0].max_primary_shard_sise = '10gb';
    expect(checkStackAgainstSchema(broken, ELASTICSTACK_SCHEMA)).toEqual([
      expect.stringMatching(/hot\[0\]\.rollover\[0\]: unknown attribute or block "max_primary_shard_sise" \(did you mean "max_primary_shard_size"\?\)/),
    ]);
  });

  it('a misspelled nested attribute of an object attribute', () => {
    const broken = copy(tf);
    first(broken, 'elasticstack_kibana_data_view').data_view.time_field = '@timestamp';
    expect(checkStackAgainstSchema(broken, ELASTICSTACK_SCHEMA)).toEqual([expect.stringMatching(/data_view: unknown attribute or block "time_field"/)]);
  });

  it('a wrong type', () => {
    const broken = copy(tf);
    first(broken, 'elasticstack_elasticsearch_index_template').priority = 'high';
    first(broken, 'elasticstack_kibana_alerting_rule').enabled = 'yes';
    const errors = checkStackAgainstSchema(broken, ELASTICSTACK_SCHEMA);
    expect(errors).toContainEqual(expect.stringMatching(/\.priority: expected number, got "high"/));
    expect(errors).toContainEqual(expect.stringMatching(/\.enabled: expected bool, got "yes"/));
  });

  it('a block written with the wrong nesting, and too many blocks', () => {
    const broken = copy(tf);
    const policy = first(broken, 'elasticstack_elasticsearch_index_lifecycle');
    policy.hot = policy.hot[0];
    policy.delete = [policy.delete[0], policy.delete[0]];
    const errors = checkStackAgainstSchema(broken, ELASTICSTACK_SCHEMA);
    expect(errors).toContainEqual(expect.stringMatching(/\.hot: expected a list of blocks \(array\)/));
    expect(errors).toContainEqual(expect.stringMatching(/\.delete: allows at most 1 block\(s\), has 2/));
  });

  it('an attribute given as a block', () => {
    const broken = copy(tf);
    const view = first(broken, 'elasticstack_kibana_data_view');
    view.data_view = [view.data_view];
    expect(checkStackAgainstSchema(broken, ELASTICSTACK_SCHEMA)).toEqual([expect.stringMatching(/\.data_view: expected an object of nested attributes/)]);
  });

  it('a missing required block and a read-only attribute', () => {
    const broken = copy(tf);
    const component = first(broken, 'elasticstack_elasticsearch_component_template');
    delete component.template;
    component.id = 'x';
    const errors = checkStackAgainstSchema(broken, ELASTICSTACK_SCHEMA);
    expect(errors).toContainEqual(expect.stringMatching(/required block "template" is missing/));
    expect(errors).toContainEqual(expect.stringMatching(/"id" is read-only/));
  });

  it('a misspelled provider setting and a wrong provider pin', () => {
    const broken = copy(tf);
    broken.provider.elasticstack[0].kibana[0].ca_cert = ['/tmp/ca.pem'];
    broken.terraform.required_providers.elasticstack.version = '~> 0.13';
    const errors = checkStackAgainstSchema(broken, ELASTICSTACK_SCHEMA);
    expect(errors).toContainEqual(expect.stringMatching(/provider\.elasticstack\[0\]\.kibana\[0\]: unknown attribute or block "ca_cert" \(did you mean "ca_certs"\?\)/));
    expect(errors).toContainEqual(expect.stringMatching(/version is "~> 0.13", expected "0.13.1"/));
  });

  it('a resource type missing from the table', () => {
    const broken = copy(tf);
    broken.resource.elasticstack_kibana_dashboard = { d: { title: 'x' } };
    expect(checkStackAgainstSchema(broken, ELASTICSTACK_SCHEMA)).toEqual([expect.stringMatching(/"elasticstack_kibana_dashboard" is not in the schema table/)]);
  });

  it('accepts Terraform references where a number or list is expected', () => {
    const fine = copy(tf);
    first(fine, 'elasticstack_elasticsearch_index_template').priority = '${var.priority}';
    first(fine, 'elasticstack_elasticsearch_index_template').index_patterns = '${local.patterns}';
    expect(checkStackAgainstSchema(fine, ELASTICSTACK_SCHEMA)).toEqual([]);
  });
});
