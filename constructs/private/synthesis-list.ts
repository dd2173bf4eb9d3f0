import type { Construct } from 'constructs';
import { ValidationError } from './validation.js';

export interface SynthesisListOptions {
  /** What an entry is, in messages: `database`, `ACL user`. */
  readonly entry: string;
  /** The method that adds one, in messages: `addDatabase`. */
  readonly adder: string;
  /** Who should call it, in the "empty" message: `each service that uses Postgres`. */
  readonly callers: string;
}

/**
 * Entries a construct collects after it is declared (`postgres.addDatabase`, `redis.addUser`)
 * and renders at synthesis through cdktf `Lazy` values. Once synthesis has read them the
 * rendered output is fixed, so a later `add` is refused; an empty list fails synth validation.
 */
export class SynthesisList<T> {
  private readonly entries: T[] = [];
  private read = false;

  constructor(
    private readonly owner: Construct,
    private readonly options: SynthesisListOptions,
  ) {
    owner.node.addValidation({
      validate: () => (this.entries.length === 0 ? [`has no ${options.entry}: call ${options.adder} once for ${options.callers}`] : []),
    });
  }

  /** Throws unless entries may still be added; `call` names the call in the message, e.g. `addDatabase("users")`. */
  checkOpen(call: string): void {
    if (this.read) {
      throw new ValidationError(this.owner, `${call} came after synthesis read the ${this.options.entry} list; add every ${this.options.entry} before synth`);
    }
  }

  add(entry: T): void {
    this.entries.push(entry);
  }

  /** The entries added so far, without closing the list (for duplicate checks). */
  peek(): readonly T[] {
    return this.entries;
  }

  /** The entries, for rendering at synthesis: the list is closed from now on. */
  render(): readonly T[] {
    this.read = true;
    return this.entries;
  }
}
