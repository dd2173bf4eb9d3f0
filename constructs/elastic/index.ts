export * from './naming.js';
export * from './log-mappings.js';
export * from './dashboard-saved-objects.js';
export * from './log-lifecycle-policy.js';
export * from './log-index-templates.js';
export * from './log-data-view.js';
export * from './log-dashboard.js';
export * from './error-spike-alert.js';
export * as elasticstack from './bindings/index.js';
