import type { RecordSave, SaveQueryable, SaveQueryResult } from '../../protocol/cloud-facade';
import type { Tx } from '../db/driver';
import { ErrorCodes, SkygearError } from '../core/errors';
import { isTransactionControl } from './transaction-control';

/** Cloud code sent BEGIN/COMMIT/ROLLBACK on a save's client: the save's transaction is the host's. */
export class SaveTransactionControlError extends SkygearError {
  constructor(statement: string) {
    super(
      `options.save.client.query("${statement.trim()}"): the record save owns its transaction; ` +
        'hook work commits or rolls back with the record (throw to fail the save)',
      ErrorCodes.UnexpectedError,
    );
  }
}

/**
 * One record save as its before-save and after-save hooks see it (`options.save`, a host extension):
 * SQL in the save's transaction, callbacks for its end, and a map the before-save hook hands to the
 * after-save hook of the same record. Made by saveOne, one per record, so nothing a hook carries can
 * leak into another record's save.
 */
export class HostRecordSave implements RecordSave {
  readonly carried = new Map<string, unknown>();
  readonly client: SaveQueryable;

  constructor(private readonly tx: Tx) {
    this.client = {
      query: <R>(text: string, params?: unknown[]): Promise<SaveQueryResult<R>> => {
        if (isTransactionControl(text)) return Promise.reject(new SaveTransactionControlError(text));
        return tx.query(text, params) as Promise<SaveQueryResult<R>>;
      },
    };
  }

  afterCommit(fn: () => void | Promise<void>): void {
    this.tx.afterCommit(fn);
  }

  afterTransaction(fn: () => void): void {
    this.tx.afterEnd(fn);
  }
}
