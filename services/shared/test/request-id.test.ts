import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSaneRequestId, requestIdOf } from '../src/request-id.js';

describe('request ids', () => {
  it('keeps any 1-128 chars of [A-Za-z0-9._-]', () => {
    const saneChar = fc.constantFrom(...'abcXYZ019._-');
    fc.assert(
      fc.property(fc.string({ unit: saneChar, minLength: 1, maxLength: 128 }), (id) => {
        expect(requestIdOf({ headers: { 'x-request-id': id } })).toBe(id);
      }),
    );
  });

  it('replaces anything else with a new UUID', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }).filter((s) => !isSaneRequestId(s)), (id) => {
        expect(requestIdOf({ headers: { 'x-request-id': id } })).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }),
    );
    expect(requestIdOf({ headers: {} })).not.toBe(requestIdOf({ headers: {} }));
    expect(isSaneRequestId('a'.repeat(129))).toBe(false);
  });
});
