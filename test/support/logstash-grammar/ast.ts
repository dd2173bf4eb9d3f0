/** The AST the LSCL grammar (lscl.peggy) builds. Every node knows where it starts. */
interface Located {
  readonly line: number;
  readonly column: number;
}

export interface StringValue extends Located { readonly kind: 'string'; readonly value: string }
export interface NumberValue extends Located { readonly kind: 'number'; readonly value: number }
export interface BarewordValue extends Located { readonly kind: 'bareword'; readonly value: string }
export interface RegexpValue extends Located { readonly kind: 'regexp'; readonly value: string }
export interface ArrayValue extends Located { readonly kind: 'array'; readonly items: readonly Value[] }
export interface HashEntry extends Located { readonly kind: 'hashEntry'; readonly key: StringValue | NumberValue | BarewordValue; readonly value: Value }
export interface HashValue extends Located { readonly kind: 'hash'; readonly entries: readonly HashEntry[] }

/** An attribute value; a plugin (e.g. `codec => json { }`) is a value too. */
export type Value = StringValue | NumberValue | BarewordValue | ArrayValue | HashValue | PluginNode;

export interface Attribute extends Located { readonly kind: 'attribute'; readonly name: string; readonly value: Value }
export interface PluginNode extends Located { readonly kind: 'plugin'; readonly name: string; readonly attributes: readonly Attribute[] }

export interface SelectorNode extends Located { readonly kind: 'selector'; readonly path: readonly string[] }
export interface CallNode extends Located { readonly kind: 'call'; readonly method: string; readonly args: readonly Rvalue[] }
export type Rvalue = StringValue | NumberValue | SelectorNode | ArrayValue | CallNode | RegexpValue;

export type Condition =
  | Rvalue
  | (Located & { readonly kind: 'boolean'; readonly op: 'and' | 'or' | 'xor' | 'nand'; readonly left: Condition; readonly right: Condition })
  | (Located & { readonly kind: 'not'; readonly operand: Condition })
  | (Located & { readonly kind: 'in'; readonly negated: boolean; readonly left: Rvalue; readonly right: Rvalue })
  | (Located & { readonly kind: 'compare'; readonly op: '==' | '!=' | '<' | '>' | '<=' | '>='; readonly left: Rvalue; readonly right: Rvalue })
  | (Located & { readonly kind: 'match'; readonly op: '=~' | '!~'; readonly left: Rvalue; readonly right: StringValue | RegexpValue });

export interface ConditionalCase { readonly condition: Condition; readonly body: readonly Statement[] }
export interface BranchNode extends Located {
  readonly kind: 'branch';
  /** The `if` and each `else if`, in order. */
  readonly cases: readonly ConditionalCase[];
  readonly otherwise: readonly Statement[] | null;
}

export type Statement = PluginNode | BranchNode;

export type SectionType = 'input' | 'filter' | 'output';
export interface Section extends Located { readonly kind: 'section'; readonly type: SectionType; readonly body: readonly Statement[] }
export interface ConfigNode { readonly kind: 'config'; readonly sections: readonly Section[] }
