/** Probe and metrics paths every service serves. */
export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';
export const METRICS_PATH = '/metrics';

/** Header that carries the request id end to end (lower-case, as Node presents request headers). */
export const REQUEST_ID_HEADER = 'x-request-id';

/** A caller's request id that nginx and the services keep as it is; any other value is replaced. */
export const SANE_REQUEST_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
