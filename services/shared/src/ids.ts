/** Largest id a Postgres `integer` identity column can hold. */
export const MAX_ROW_ID = 2_147_483_647;

/** Pattern of a positive integer in a path or query string (no sign, no leading zero). */
export const POSITIVE_INTEGER_PATTERN = '^[1-9][0-9]*$';

/** Route `params` schema for `/:id` where id is a positive integer. */
export const idParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: POSITIVE_INTEGER_PATTERN } },
} as const;

/**
 * A validated positive-integer string (or number) as a row id, or `undefined` when it is
 * beyond any stored id: such a row cannot exist, so callers answer "not found" without asking
 * Postgres (which would reject the value as out of range).
 */
export function toRowId(value: string | number): number | undefined {
  const id = Number(value);
  return Number.isSafeInteger(id) && id >= 1 && id <= MAX_ROW_ID ? id : undefined;
}
