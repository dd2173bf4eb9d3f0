import type { FastifyInstance, FastifySchemaValidationError } from 'fastify';
import secureJson from 'secure-json-parse';
import { HttpError } from './errors.js';

/**
 * A text field a person typed: no control characters (C0, DEL, C1, so no NUL, CR or LF) and
 * no unpaired UTF-16 surrogates (they cannot be stored as UTF-8 and would be silently
 * replaced). Ajv compiles patterns with the `u` flag, where `\p{Cs}` matches a lone surrogate.
 */
export const SAFE_TEXT_PATTERN = '^[^\\p{Cc}\\p{Cs}]*$';
/** Like SAFE_TEXT_PATTERN, with at least one visible (non-space) character. */
export const VISIBLE_TEXT_PATTERN = '^[^\\p{Cc}\\p{Cs}]*[^\\s\\p{Cc}\\p{Cs}][^\\p{Cc}\\p{Cs}]*$';

const PATTERN_WORDS: Readonly<Record<string, string>> = {
  [SAFE_TEXT_PATTERN]: 'must not contain control characters or unpaired surrogates',
  [VISIBLE_TEXT_PATTERN]: 'must have a visible character and no control characters or unpaired surrogates',
};

/**
 * Validation errors in the contract's words, naming the field or the refused property,
 * e.g. `body/name must not contain control characters…` or `body must not have property "role"`.
 */
export function schemaErrorMessage(errors: readonly FastifySchemaValidationError[], dataVar: string): string {
  return errors
    .map((error) => {
      const where = `${dataVar}${error.instancePath}`;
      const params = error.params as Record<string, unknown>;
      if (error.keyword === 'additionalProperties') return `${where} must not have property "${String(params.additionalProperty)}"`;
      if (error.keyword === 'pattern') {
        const words = PATTERN_WORDS[String(params.pattern)];
        if (words) return `${where} ${words}`;
      }
      return `${where} ${error.message ?? 'is invalid'}`;
    })
    .join(', ');
}

/** At most this many significant digits: every such decimal survives the trip through a double exactly. */
const MAX_SIGNIFICANT_DIGITS = 15;

/**
 * The first number literal in `text` (JSON) that a double cannot hold exactly as written:
 * an exponent (`1e-400` would become 0, `1e400` Infinity) or more than 15 significant digits
 * (`9007199254740993` would become …992). `undefined` when every number is plain.
 */
export function inexactNumber(text: string): string | undefined {
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i += 1;
      while (i < text.length && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c /* \ */ ? 2 : 1;
      i += 1;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      while (i < text.length && /[-+0-9.eE]/.test(text[i]!)) i += 1;
      const literal = text.slice(start, i);
      if (/[eE]/.test(literal)) return literal;
      const digits = literal.replace(/[-.]/g, '').replace(/^0+/, '');
      const significant = literal.includes('.') ? digits.replace(/0+$/, '') : digits.replace(/0+$/, '');
      if (significant.length > MAX_SIGNIFICANT_DIGITS) return literal;
    } else i += 1;
  }
  return undefined;
}

/**
 * The JSON body parser: Fastify's (secure-json-parse, prototype poisoning refused), plus
 * numbers must be exactly what they say (see inexactNumber), so a value is never silently
 * rounded, underflowed to 0 or overflowed before validation sees it.
 */
export function installJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(new HttpError(400, 'body must not be empty when content-type is application/json'), undefined);
    let value: unknown;
    try {
      value = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    } catch {
      return done(new HttpError(400, 'body is not valid JSON'), undefined);
    }
    const inexact = inexactNumber(text);
    if (inexact !== undefined) {
      return done(new HttpError(400, `body has the number ${inexact.slice(0, 40)}, which cannot be taken exactly: write it in plain decimals, at most ${MAX_SIGNIFICANT_DIGITS} significant digits`), undefined);
    }
    return done(null, value);
  });
}
