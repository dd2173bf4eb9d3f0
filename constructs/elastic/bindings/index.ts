/**
 * Hand-written bindings for the `elastic/elasticstack` Terraform provider, shaped
 * like `cdktf get` output, for exactly the resources this project declares.
 * See README.md in this folder.
 */
export * from './provider-version.js';
export * from './provider.js';
export * from './elasticsearch-index-lifecycle.js';
export * from './elasticsearch-component-template.js';
export * from './elasticsearch-index-template.js';
export * from './kibana-data-view.js';
export * from './kibana-import-saved-objects.js';
export * from './kibana-action-connector.js';
export * from './kibana-alerting-rule.js';
export * from './elasticsearch-data-stream.js';
export * from './elasticsearch-index.js';
export * from './elasticsearch-snapshot-repository.js';
export * from './elasticsearch-snapshot-lifecycle.js';
export * from './elasticsearch-info.js';
