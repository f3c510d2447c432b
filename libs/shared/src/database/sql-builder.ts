/**
 * Numbered parameters and AND-ed conditions for hand-written SQL, so that
 * filters never splice values into the text: `param(value)` gives `$n`,
 * `where(condition, value)` adds a condition whose `?`s stand for the value.
 */
export class SqlBuilder {
  readonly params: unknown[] = [];
  private readonly conditions: string[];

  constructor(...conditions: string[]) {
    this.conditions = conditions;
  }

  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  where(condition: string, value: unknown): this {
    const placeholder = this.param(value);
    this.conditions.push(condition.replace(/\?/g, placeholder));
    return this;
  }

  /** `WHERE a AND b`, or nothing when there is no condition. */
  get whereClause(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}

/** `($1, $2), ($3, $4)`: the VALUES tuples of `rows` rows of `width` parameters each, numbered from `first`. */
export function valueTuples(rows: number, width: number, first = 1): string {
  return Array.from({ length: rows }, (_, row) => {
    const start = first + row * width;
    return `(${Array.from({ length: width }, (_, i) => `$${start + i}`).join(', ')})`;
  }).join(', ');
}
