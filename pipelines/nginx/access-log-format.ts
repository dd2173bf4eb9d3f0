import { ValidationError } from '../../constructs/private/validation.js';
/**
 * The JSON access-log line the Logstash pipeline expects from nginx: nginx's own
 * variable names as keys (the pipeline maps them onto ECS). The nginx config
 * renderer declares this format so the two cannot drift.
 */
export const NGINX_ACCESS_LOG_FIELDS = {
  '@timestamp': '$time_iso8601',
  remote_addr: '$remote_addr',
  request_method: '$request_method',
  request_uri: '$request_uri',
  uri: '$uri',
  args: '$args',
  server_protocol: '$server_protocol',
  status: '$status',
  body_bytes_sent: '$body_bytes_sent',
  request_length: '$request_length',
  request_time: '$request_time',
  http_referer: '$http_referer',
  http_user_agent: '$http_user_agent',
  host: '$host',
  upstream_addr: '$upstream_addr',
  upstream_status: '$upstream_status',
  upstream_response_time: '$upstream_response_time',
} as const;

const NGINX_VARIABLE = /^\$[a-z_][a-z0-9_]*$/;
const FORMAT_NAME = /^[a-z][a-z0-9_]*$/;

export interface NginxAccessLogFormatOptions {
  /** Name of the `log_format`, referenced by `access_log <path> <name>`. Default `platform_json`. */
  readonly name?: string;
  /** The nginx variable holding the request id actually used (the caller's sane id or a generated one), e.g. `$platform_request_id`. */
  readonly requestIdVariable: string;
}

/** The `log_format` directive (escape=json: values are JSON-escaped by nginx itself), one JSON object per line. */
export function nginxAccessLogFormat(opts: NginxAccessLogFormatOptions): string {
  const name = opts.name ?? 'platform_json';
  if (!FORMAT_NAME.test(name)) {
    throw new ValidationError('nginxAccessLogFormat', `name "${name}" must be lower-case letters, digits and "_"`);
  }
  if (!NGINX_VARIABLE.test(opts.requestIdVariable)) {
    throw new ValidationError('nginxAccessLogFormat', `requestIdVariable "${opts.requestIdVariable}" must be an nginx variable such as "$request_id"`);
  }
  const fields: Record<string, string> = { ...NGINX_ACCESS_LOG_FIELDS, request_id: opts.requestIdVariable };
  const body = Object.entries(fields)
    .map(([key, variable]) => `"${key}":"${variable}"`)
    .join(',');
  return `log_format ${name} escape=json '{${body}}';`;
}
