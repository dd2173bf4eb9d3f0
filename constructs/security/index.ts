export * from './pki.js';
export * from './file-realm.js';
export * from './roles.js';
export * from './detectors.js';
