/** Non-negative, at most 10 integer digits (numeric(12,2)) and at most 2 decimals; no sign, no exponent. */
export const DECIMAL_AMOUNT_PATTERN = '^(0|[1-9][0-9]{0,9})(\\.[0-9]{1,2})?$';
const DECIMAL_AMOUNT = new RegExp(DECIMAL_AMOUNT_PATTERN);

/**
 * An amount as the exact decimal string Postgres stores and the API returns: `12.5` and
 * `"12.50"` both become `"12.50"`. Undefined when the value is negative, has more than two
 * decimals, or does not fit numeric(12,2). A JSON number is read through its shortest
 * decimal form (`12.34`, never `12.339999…`).
 */
export function toMoney(value: number | string): string | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  const match = DECIMAL_AMOUNT.exec(text);
  if (!match) return undefined;
  const [, whole, fraction = '.'] = match;
  return `${whole}.${fraction.slice(1).padEnd(2, '0')}`;
}
