import type { IConstruct } from 'constructs';

/**
 * The faults the constructs' own validations report (`node.addValidation`), one line each and
 * starting with the construct's path, as a ValidationError's are. `main.ts` runs them before
 * `app.synth()`, which would throw them all as one bracketed list.
 */
export function validationFaults(root: IConstruct): string[] {
  return root.node.findAll().flatMap((c) =>
    c.node.validate().map((message) => (message.startsWith(`${c.node.path}: `) ? message : `${c.node.path}: ${message}`)),
  );
}
