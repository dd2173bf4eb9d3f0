import type { AttributeSchema, AttributeType, BlockSchema, NestedBlockSchema, ProviderSchema } from './elasticstack-schema.js';

/**
 * Checks synthesized Terraform JSON (`cdk.tf.json`) against a provider schema
 * table: every `elasticstack_*` resource and the provider block must have their
 * required attributes, no unknown or read-only attribute, values of the right
 * type and blocks with the right nesting. Returns one message per violation,
 * each naming the JSON path.
 */

/** Terraform meta-arguments and cdktf's metadata key, allowed on every resource. */
const RESOURCE_META = new Set(['//', 'depends_on', 'provider', 'lifecycle', 'count', 'for_each', 'connection', 'provisioner']);
const PROVIDER_META = new Set(['alias']);

/** A whole-string Terraform expression (`${...}`): its type is only known to Terraform. */
function isExpression(value: unknown): boolean {
  return typeof value === 'string' && /^\$\{[^]*\}$/.test(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeType(type: AttributeType): string {
  if (typeof type === 'string') return type;
  if ('list' in type) return `list of ${describeType(type.list)}`;
  if ('set' in type) return `set of ${describeType(type.set)}`;
  if ('map' in type) return `map of ${describeType(type.map)}`;
  return `nested attributes (${type.nested})`;
}

function closest(name: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const current = row[j]!;
        row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = current;
      }
    }
    return row[b.length]!;
  };
  const ranked = candidates.map((c) => ({ c, d: distance(name, c) })).sort((x, y) => x.d - y.d);
  return ranked[0] && ranked[0].d <= 3 ? ranked[0].c : undefined;
}

function checkValue(path: string, value: unknown, type: AttributeType, errors: string[]): void {
  if (isExpression(value)) return;
  const wrong = (): void => {
    errors.push(`${path}: expected ${describeType(type)}, got ${JSON.stringify(value)?.slice(0, 80)}`);
  };
  if (type === 'string') {
    if (typeof value !== 'string') wrong();
    return;
  }
  if (type === 'number') {
    if (typeof value !== 'number') wrong();
    return;
  }
  if (type === 'bool') {
    if (typeof value !== 'boolean') wrong();
    return;
  }
  if ('list' in type || 'set' in type) {
    const element = 'list' in type ? type.list : type.set;
    if (!Array.isArray(value)) return wrong();
    value.forEach((item, i) => checkValue(`${path}[${i}]`, item, element, errors));
    return;
  }
  if ('map' in type) {
    if (!isObject(value)) return wrong();
    for (const [key, item] of Object.entries(value)) checkValue(`${path}.${key}`, item, type.map, errors);
    return;
  }
  // Nested attributes.
  const checkNested = (p: string, v: unknown): void => {
    if (isObject(v)) checkAttributes(p, v, type.attributes, errors);
    else errors.push(`${p}: expected an object of nested attributes, got ${JSON.stringify(v)?.slice(0, 80)}`);
  };
  if (type.nested === 'single') return void checkNested(path, value);
  if (type.nested === 'list') {
    if (!Array.isArray(value)) return wrong();
    value.forEach((item, i) => checkNested(`${path}[${i}]`, item));
    return;
  }
  if (!isObject(value)) return wrong();
  for (const [key, item] of Object.entries(value)) checkNested(`${path}.${key}`, item);
}

function checkAttributes(
  path: string,
  value: Record<string, unknown>,
  attributes: Readonly<Record<string, AttributeSchema>>,
  errors: string[],
  blockNames: readonly string[] = [],
): void {
  for (const [name, attribute] of Object.entries(attributes)) {
    if (attribute.required && value[name] === undefined) errors.push(`${path}: required attribute "${name}" is missing`);
  }
  for (const [name, item] of Object.entries(value)) {
    const attribute = attributes[name];
    if (!attribute) {
      const hint = closest(name, [...Object.keys(attributes), ...blockNames]);
      errors.push(`${path}: unknown attribute or block "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
      continue;
    }
    if (attribute.readOnly) {
      errors.push(`${path}.${name}: "${name}" is read-only and cannot be set`);
      continue;
    }
    checkValue(`${path}.${name}`, item, attribute.type, errors);
  }
}

function checkNestedBlock(path: string, value: unknown, nested: NestedBlockSchema, errors: string[]): void {
  if (isExpression(value)) return;
  if (nested.nesting === 'single') {
    if (!isObject(value)) return void errors.push(`${path}: expected a single block (object), got ${JSON.stringify(value)?.slice(0, 80)}`);
    checkBlock(path, value, nested.block, new Set(), errors);
    return;
  }
  if (!Array.isArray(value)) {
    return void errors.push(`${path}: expected a ${nested.nesting} of blocks (array), got ${JSON.stringify(value)?.slice(0, 80)}`);
  }
  if (nested.min !== undefined && value.length < nested.min) errors.push(`${path}: needs at least ${nested.min} block(s), has ${value.length}`);
  if (nested.max !== undefined && value.length > nested.max) errors.push(`${path}: allows at most ${nested.max} block(s), has ${value.length}`);
  value.forEach((item, i) => {
    if (!isObject(item)) return void errors.push(`${path}[${i}]: expected a block (object), got ${JSON.stringify(item)?.slice(0, 80)}`);
    checkBlock(`${path}[${i}]`, item, nested.block, new Set(), errors);
  });
}

/** Checks one block body (a resource, the provider, or a nested block). */
export function checkBlock(path: string, value: Record<string, unknown>, schema: BlockSchema, meta: ReadonlySet<string>, errors: string[] = []): string[] {
  const blocks = schema.blocks ?? {};
  const attributeView: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    if (meta.has(name)) continue;
    const block = blocks[name];
    if (block) checkNestedBlock(`${path}.${name}`, item, block, errors);
    else attributeView[name] = item;
  }
  checkAttributes(path, attributeView, schema.attributes, errors, Object.keys(blocks));
  for (const [name, block] of Object.entries(blocks)) {
    if ((block.min ?? 0) > 0 && value[name] === undefined) errors.push(`${path}: required block "${name}" is missing`);
  }
  return errors;
}

export interface SynthesizedTerraform {
  readonly terraform?: { required_providers?: Record<string, { source?: string; version?: string }> };
  readonly provider?: Record<string, unknown>;
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
}

/** Every violation of `schema` in one synthesized stack; `[]` when it conforms. */
export function checkStackAgainstSchema(tf: SynthesizedTerraform, schema: ProviderSchema, providerName = 'elasticstack'): string[] {
  const errors: string[] = [];
  const required = tf.terraform?.required_providers?.[providerName];
  if (!required) errors.push(`terraform.required_providers.${providerName} is missing`);
  else {
    if (required.source !== schema.source) errors.push(`required_providers.${providerName}.source is "${required.source}", expected "${schema.source}"`);
    if (required.version !== schema.version) errors.push(`required_providers.${providerName}.version is "${required.version}", expected "${schema.version}"`);
  }
  const providers = tf.provider?.[providerName];
  if (providers !== undefined) {
    if (!Array.isArray(providers)) errors.push(`provider.${providerName}: expected a list of provider configurations`);
    else providers.forEach((p, i) => checkBlock(`provider.${providerName}[${i}]`, p as Record<string, unknown>, schema.provider, PROVIDER_META, errors));
  }
  for (const [type, instances] of Object.entries(tf.resource ?? {})) {
    if (!type.startsWith(`${providerName}_`)) continue;
    const resourceSchema = schema.resources[type];
    if (!resourceSchema) {
      errors.push(`resource type "${type}" is not in the schema table (version ${schema.version})`);
      continue;
    }
    for (const [name, body] of Object.entries(instances)) {
      checkBlock(`${type}.${name}`, body, resourceSchema, RESOURCE_META, errors);
    }
  }
  for (const [type, instances] of Object.entries(tf.data ?? {})) {
    if (!type.startsWith(`${providerName}_`)) continue;
    const dataSchema = schema.dataSources[type];
    if (!dataSchema) {
      errors.push(`data source type "${type}" is not in the schema table (version ${schema.version})`);
      continue;
    }
    for (const [name, body] of Object.entries(instances)) {
      checkBlock(`data.${type}.${name}`, body, dataSchema, RESOURCE_META, errors);
    }
  }
  return errors;
}
