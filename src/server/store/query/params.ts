/** Collects positional SQL parameters while SQL text is built: `p.add(v)` returns "$n". */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
