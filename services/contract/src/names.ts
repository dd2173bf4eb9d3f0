/**
 * What a `service.environment` may be: the environment's name, 2-16 lower-case letters or
 * digits starting with a letter (`dev`, `staging`). It is also the namespace of the data
 * stream and part of every Elastic object's name, so it has no `-` (the separator there).
 */
export const ENVIRONMENT_NAME_PATTERN = /^[a-z][a-z0-9]{1,15}$/;

/**
 * What a service's name may be: lower-case letters, digits and `-`, starting with a letter.
 * The name is a container alias, an nginx upstream, a Redis ACL user and a data-stream source.
 */
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]*$/;
