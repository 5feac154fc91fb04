import { createHash } from 'node:crypto';

/**
 * Names for PostgreSQL prepared statements (node-postgres prepares a query config with a `name` once
 * per connection, then only binds and executes it).
 *
 * Why: parsing and planning each statement again was most of PostgreSQL's CPU per message send
 * (1.8 ms per send unnamed, 1.0 ms named, measured by `npm run bench`; the same statement alone:
 * 0.22 → 0.11 ms). Only statements with parameters are named (a statement without them is sent with
 * the simple protocol, e.g. BEGIN or the turn's `SELECT 1`, see plugin/message.ts).
 *
 * The one trap: a prepared statement keeps the result columns it was planned with, so after another
 * process adds a column to a table, a prepared `SELECT t.*` on it fails with "cached plan must not
 * change result type" (SQLSTATE 0A000) on every connection that prepared it. `invalidate()` then
 * moves every text to a new name (this process's statements are prepared again, on fresh plans) and
 * the driver replaces each pooled connection that holds statements of an older generation when it
 * is next released, so old plans do not pile up in the backends; see isStalePlan's callers.
 *
 * Bounded: at most `limit` distinct texts get names per generation (statements built with a variable
 * number of placeholders would otherwise grow every backend's plan cache without end); beyond that
 * a text runs unnamed, as before.
 */
export class PreparedNames {
  private generation = 0;
  private readonly names = new Map<string, string>();

  constructor(private readonly limit = 500) {}

  /** Bumped by invalidate(); a connection that prepared statements under an older one is replaced. */
  get current(): number {
    return this.generation;
  }

  /** The statement name for `text`, or undefined when it should run unnamed. */
  nameFor(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined) {
      if (this.names.size >= this.limit) return undefined;
      name = `s${this.generation}_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      this.names.set(text, name);
    }
    return name;
  }

  /** Forget every name: from now on each text is prepared again under a new one. */
  invalidate(): void {
    this.generation++;
    this.names.clear();
  }
}

/** A prepared statement whose table changed shape since it was prepared (see PreparedNames). */
export function isStalePlan(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return typeof e === 'object' && e !== null && e.code === '0A000' && typeof e.message === 'string' && e.message.includes('cached plan must not change result type');
}
