import type { Tx } from '../../../src/server/db/driver';
import { HostRecordSave, SaveTransactionControlError } from '../../../src/server/store/record-save';

/** A Tx that records what it was asked, for the RecordSave a save's hooks get as options.save. */
function fakeTx() {
  const statements: string[] = [];
  const committed: Array<() => void | Promise<void>> = [];
  const ended: Array<() => void> = [];
  const tx: Tx = {
    query: async (text: string) => {
      statements.push(text);
      return { rows: [{ one: 1 }], rowCount: 1 } as never;
    },
    afterCommit: (fn) => committed.push(fn),
    afterEnd: (fn) => ended.push(fn),
  };
  return { tx, statements, committed, ended };
}

describe('HostRecordSave (options.save)', () => {
  it('runs queries in the save’s transaction', async () => {
    const { tx, statements } = fakeTx();
    const save = new HostRecordSave(tx);
    const res = await save.client.query('SELECT 1 AS one', []);
    expect(res.rows).toEqual([{ one: 1 }]);
    expect(statements).toEqual(['SELECT 1 AS one']);
  });

  it.each(['BEGIN', 'begin transaction', 'START TRANSACTION', 'COMMIT', 'END', 'ROLLBACK', 'abort'])('refuses %s with a typed error', async (sql) => {
    const { tx, statements } = fakeTx();
    const save = new HostRecordSave(tx);
    await expect(save.client.query(sql)).rejects.toBeInstanceOf(SaveTransactionControlError);
    await expect(save.client.query(sql)).rejects.toThrow(/the record save owns its transaction/);
    expect(statements).toEqual([]);
  });

  it('hands afterCommit and afterTransaction to the transaction, and carries values between hooks', () => {
    const { tx, committed, ended } = fakeTx();
    const save = new HostRecordSave(tx);
    const onCommit = () => undefined;
    const onEnd = () => undefined;
    save.afterCommit(onCommit);
    save.afterTransaction(onEnd);
    expect(committed).toEqual([onCommit]);
    expect(ended).toEqual([onEnd]);
    save.carried.set('chat:x', 1);
    expect(save.carried.get('chat:x')).toBe(1);
    expect(new HostRecordSave(tx).carried.size).toBe(0);
  });
});
