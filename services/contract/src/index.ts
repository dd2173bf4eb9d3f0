/**
 * @platform/contract: the facts the infrastructure and the services must agree on, declared
 * once. No dependencies and no Node APIs, so the cdktf code can import it without pulling in
 * the services' runtime (fastify, pg, ioredis).
 */
export { SERVICES, serviceByName, type ServiceDeclaration, type ServiceName } from './catalog.js';
export { HEALTH_PATH, METRICS_PATH, READY_PATH, REQUEST_ID_HEADER, SANE_REQUEST_ID_PATTERN } from './http.js';
export {
  DEAD_LETTER_LOG_SOURCE,
  LOG_ROOT,
  NGINX_ACCESS_LOG_PATH,
  NGINX_ERROR_LOG_PATH,
  NGINX_LOG_DIR,
  NGINX_LOG_SOURCE,
  UNROUTED_LOG_SOURCE,
  dataStreamName,
  serviceLogDir,
  serviceLogFile,
  serviceLogGlob,
} from './logs.js';
export { ENVIRONMENT_NAME_PATTERN, SERVICE_NAME_PATTERN } from './names.js';
