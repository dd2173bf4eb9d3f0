/**
 * Detectors for the two mistakes issue 6 forbids in anything the project
 * synthesizes or records (Terraform JSON, uploaded config files, snapshots):
 * a setting that turns TLS or its verification off, and a secret in clear text.
 * The security tests run them over every synthesized stack and snapshot; they
 * work on plain strings so any check (a test, a CI step) can reuse them.
 */

export interface Finding {
  /** Which rule matched. */
  readonly rule: string;
  /** The matching text, cut short; for secrets only a masked prefix, so a finding never leaks the secret itself. */
  readonly excerpt: string;
}

interface Rule {
  readonly rule: string;
  readonly pattern: RegExp;
}

/** Settings and flags that disable TLS or certificate verification, in the syntaxes the platform's components use. */
export const TLS_DISABLING_PATTERNS: readonly Rule[] = [
  // verification_mode (Elasticsearch, Beats), ssl_verification_mode (Logstash), verificationMode (Kibana).
  { rule: 'verification mode none', pattern: /verification_?mode["']?\s*(?:=>|[:=])\s*["']?none\b/i },
  { rule: 'Node TLS verification off', pattern: /NODE_TLS_REJECT_UNAUTHORIZED["']?\s*[:=]\s*["']?0/ },
  { rule: 'rejectUnauthorized false', pattern: /rejectUnauthorized["']?\s*[:=]\s*false\b/ },
  { rule: 'curl without verification', pattern: /\bcurl\b[^\n;|&]*\s(?:--insecure|-[A-Za-z]*k[A-Za-z]*)(?=\s|$)/ },
  { rule: 'wget without verification', pattern: /--no-check-certificate\b/ },
  { rule: 'Logstash certificate verification off', pattern: /ssl_certificate_verification\s*=>\s*["']?false\b/ },
  {
    rule: 'security or TLS disabled',
    pattern: /\b(?:xpack\.security(?:\.[\w]+)*\.enabled|(?:[\w]+\.)*ssl[._]enabled)["']?\s*(?:=>|[:=])\s*["']?false\b/i,
  },
  { rule: 'provider insecure', pattern: /["']?\binsecure["']?\s*[:=]\s*["']?true\b/i },
  { rule: 'plain HTTP to Elasticsearch or Kibana', pattern: /\bhttp:\/\/[\w.-]*(?:elasticsearch|kibana)[\w.-]*(?::\d+)?/i },
];

/** Every finding of a TLS-disabling setting in `texts`. */
export function findTlsDisabling(texts: Iterable<string>): Finding[] {
  const findings: Finding[] = [];
  for (const text of texts) {
    for (const { rule, pattern } of TLS_DISABLING_PATTERNS) {
      const match = pattern.exec(text);
      if (match) findings.push({ rule, excerpt: match[0].slice(0, 120) });
    }
  }
  return findings;
}

/** A Terraform reference or a variable the program resolves at run time: never a value. */
const REFERENCE = /^(?:\$\{[^}]+\}|\$\$\{[^}]+\}|\$[A-Za-z_]\w*|\*+)$/;

const SECRET_RULES: readonly { rule: string; pattern: RegExp; secretGroup?: number }[] = [
  { rule: 'PEM private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/g },
  { rule: 'bcrypt hash', pattern: /\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53}/g },
  // The shape of the generated passwords and keys: 20+ letters and digits, mixed case and digits.
  {
    rule: 'generated-looking secret',
    pattern: /(?<![A-Za-z0-9])(?=(?:[a-z0-9]*[A-Z]){2})(?=(?:[A-Z0-9]*[a-z]){2})(?=(?:[A-Za-z]*[0-9]){2})[A-Za-z0-9]{20,}(?![A-Za-z0-9])/g,
  },
  { rule: 'credentials in a URL', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/"']+:([^\s@/"']+)@/gi, secretGroup: 1 },
  {
    rule: 'password or key setting with a literal value',
    pattern:
      /\b(?:password|passwd|secret|token|encryption_?key|api_?key|requirepass)["']?\s*(?:=>|[:=]|\s)\s*["']?([^\s"',}\]]+)/gi,
    secretGroup: 1,
  },
];

function mask(text: string): string {
  return text.length <= 6 ? '***' : `${text.slice(0, 3)}***(${text.length} chars)`;
}

/** Every place in `texts` that holds what looks like a secret value rather than a reference to one. */
export function findSecrets(texts: Iterable<string>): Finding[] {
  const findings: Finding[] = [];
  for (const raw of texts) {
    // Snapshot files write `${` as `\${` (template literals); the reference is the same.
    const text = raw.replace(/\\\$\{/g, '${');
    for (const { rule, pattern, secretGroup } of SECRET_RULES) {
      for (const match of text.matchAll(pattern)) {
        const secret = secretGroup === undefined ? match[0] : match[secretGroup]!;
        if (secretGroup !== undefined && (REFERENCE.test(secret) || !looksLikeValue(secret))) continue;
        findings.push({ rule, excerpt: mask(secret) });
      }
    }
  }
  return findings;
}

/**
 * A setting's value that could be a secret: not a reference, not a word of prose
 * (`password: generated`, `token-based`), not a file path.
 */
function looksLikeValue(value: string): boolean {
  if (/^\$\{|^\$\$\{|^\$\w/.test(value)) return false;
  if (value.startsWith('/')) return false;
  return value.length >= 8 && /\d/.test(value) && /[A-Za-z]/.test(value);
}

/** Every string in a JSON-like value (keys with non-string values as `"key":value`, so `insecure: true` is seen). */
export function stringsOf(value: unknown, key?: string): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value === 'number' || typeof value === 'boolean') return key === undefined ? [] : [`"${key}":${String(value)}`];
  if (Array.isArray(value)) return value.flatMap((item) => stringsOf(item, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringsOf(v, k));
  return [];
}
