import { Token } from 'cdktf';

/**
 * Escapes a literal text for a Terraform string, so `${VAR}` placeholders meant
 * for a program (Kibana, Logstash and Filebeat expand them from their
 * environment; saved objects carry them to Kibana) are not taken for Terraform
 * interpolations.
 * Only for text without tokens: escaping would break a token's reference.
 */
export function terraformLiteral(text: string): string {
  if (Token.isUnresolved(text)) {
    throw new Error('terraformLiteral() takes literal text only; this text contains Terraform tokens');
  }
  // Replacer functions: in a replacement string, `$$` would itself mean one `$`.
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}
