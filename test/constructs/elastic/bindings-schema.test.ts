import { describe, expect, it } from 'vitest';
import { ELASTICSTACK_PROVIDER_VERSION } from '../../../constructs/elastic/bindings/index.js';
import { checkBlock, checkStackAgainstSchema, type SynthesizedTerraform } from '../../support/elasticstack-schema-check.js';
import { ELASTICSTACK_SCHEMA } from '../../support/elasticstack-schema.js';
import { synthElasticStack } from '../../support/elasticstack-schema-fixture.js';

/** Every variant of the stack: both environments, and with each optional connector. */
const variants = {
  dev: () => synthElasticStack('dev'),
  staging: () => synthElasticStack('staging'),
  'dev with a webhook': () => synthElasticStack('dev', { settings: { alerts: { licence: 'gold', webhook: 'generic' } } }),
  'dev with Slack': () => synthElasticStack('dev', { settings: { alerts: { licence: 'gold', webhook: 'slack' } } }),
  'dev with an S3 snapshot repository': () =>
    synthElasticStack('dev', { settings: { snapshots: { s3: { bucket: 'platform-backups', basePath: 'elk', endpoint: 'https://minio.internal:9000' } } } }),
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
    const usedData = Object.keys((tf as { data?: Record<string, unknown> }).data ?? {}).filter((t) => t.startsWith('elasticstack_'));
    expect(usedData.sort()).toEqual(Object.keys(ELASTICSTACK_SCHEMA.dataSources).sort());
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

  it('a snapshot repository type block written as a list, and a misspelt policy attribute', () => {
    const broken = copy(tf);
    const repository = first(broken, 'elasticstack_elasticsearch_snapshot_repository');
    repository.fs = [repository.fs];
    first(broken, 'elasticstack_elasticsearch_snapshot_lifecycle').feature_state = ['kibana'];
    const errors = checkStackAgainstSchema(broken, ELASTICSTACK_SCHEMA);
    expect(errors).toContainEqual(expect.stringMatching(/\.fs: expected a single block \(object\)/));
    expect(errors).toContainEqual(expect.stringMatching(/unknown attribute or block "feature_state" \(did you mean "feature_states"\?\)/));
  });

  it('a misspelled attribute in a nested block', () => {
    const broken = copy(tf);
    const policy = first(broken, 'elasticstack_elasticsearch_index_lifecycle');
    policy.hot.rollover.max_primary_shard_sise = '10gb';
    expect(checkStackAgainstSchema(broken, ELASTICSTACK_SCHEMA)).toEqual([
      expect.stringMatching(/hot\.rollover: unknown attribute or block "max_primary_shard_sise" \(did you mean "max_primary_shard_size"\?\)/),
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

  it('a block written with the wrong nesting (the 0.13.1 list form of a 0.16 single block), and too many blocks', () => {
    const broken = copy(tf);
    const policy = first(broken, 'elasticstack_elasticsearch_index_lifecycle');
    policy.hot = [policy.hot];
    first(broken, 'elasticstack_elasticsearch_index_template').data_stream = [{}];
    broken.provider.elasticstack[0].kibana = [broken.provider.elasticstack[0].kibana[0], broken.provider.elasticstack[0].kibana[0]];
    broken.provider.elasticstack[0].elasticsearch = broken.provider.elasticstack[0].elasticsearch[0];
    const errors = checkStackAgainstSchema(broken, ELASTICSTACK_SCHEMA);
    expect(errors).toContainEqual(expect.stringMatching(/\.hot: expected a single block \(object\)/));
    expect(errors).toContainEqual(expect.stringMatching(/\.data_stream: expected a single block \(object\)/));
    expect(errors).toContainEqual(expect.stringMatching(/\.kibana: allows at most 1 block\(s\), has 2/));
    expect(errors).toContainEqual(expect.stringMatching(/\.elasticsearch: expected a list of blocks \(array\)/));
  });

  it('an attribute given as a block', () => {
    const broken = copy(tf);
    const view = first(broken, 'elasticstack_kibana_data_view');
    view.data_view = [view.data_view];
    expect(checkStackAgainstSchema(broken, ELASTICSTACK_SCHEMA)).toEqual([expect.stringMatching(/\.data_view: expected an object of nested attributes/)]);
  });

  it('a read-only attribute, and a missing required block', () => {
    const broken = copy(tf);
    first(broken, 'elasticstack_elasticsearch_component_template').id = 'x';
    expect(checkStackAgainstSchema(broken, ELASTICSTACK_SCHEMA)).toEqual([expect.stringMatching(/"id" is read-only/)]);
    // No resource of the pinned version has a required block any more; the check still exists.
    const schema = { attributes: {}, blocks: { part: { nesting: 'list' as const, min: 1, block: { attributes: {} } } } };
    expect(checkBlock('r', {}, schema, new Set())).toEqual([expect.stringMatching(/required block "part" is missing/)]);
  });

  it('a misspelled provider setting and a wrong provider pin', () => {
    const broken = copy(tf);
    broken.provider.elasticstack[0].kibana[0].ca_cert = ['/tmp/ca.pem'];
    broken.terraform.required_providers.elasticstack.version = '~> 0.13';
    const errors = checkStackAgainstSchema(broken, ELASTICSTACK_SCHEMA);
    expect(errors).toContainEqual(expect.stringMatching(/provider\.elasticstack\[0\]\.kibana\[0\]: unknown attribute or block "ca_cert" \(did you mean "ca_certs"\?\)/));
    expect(errors).toContainEqual(expect.stringMatching(new RegExp(`version is "~> 0.13", expected "${ELASTICSTACK_PROVIDER_VERSION}"`)));
  });

  it('a resource type missing from the table', () => {
    const broken = copy(tf);
    broken.resource.elasticstack_kibana_dashboard = { d: { title: 'x' } };
    expect(checkStackAgainstSchema(broken, ELASTICSTACK_SCHEMA)).toEqual([expect.stringMatching(/"elasticstack_kibana_dashboard" is not in the schema table/)]);
  });

  it('a data source type missing from the table, and a read-only attribute set on a data source', () => {
    const broken = copy(tf);
    broken.data.elasticstack_kibana_spaces = { s: {} };
    const info = Object.values(broken.data.elasticstack_elasticsearch_info as Record<string, any>)[0]!;
    info.cluster_uuid = 'abc';
    const errors = checkStackAgainstSchema(broken, ELASTICSTACK_SCHEMA);
    expect(errors).toContainEqual(expect.stringMatching(/data source type "elasticstack_kibana_spaces" is not in the schema table/));
    expect(errors).toContainEqual(expect.stringMatching(/data\.elasticstack_elasticsearch_info\.[\w-]+\.cluster_uuid: "cluster_uuid" is read-only/));
  });

  it('accepts Terraform references where a number or list is expected', () => {
    const fine = copy(tf);
    first(fine, 'elasticstack_elasticsearch_index_template').priority = '${var.priority}';
    first(fine, 'elasticstack_elasticsearch_index_template').index_patterns = '${local.patterns}';
    expect(checkStackAgainstSchema(fine, ELASTICSTACK_SCHEMA)).toEqual([]);
  });
});
