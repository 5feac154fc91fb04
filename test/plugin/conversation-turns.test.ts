import { ConversationTurns } from '../../src/plugin/conversation-turns';

/** Unit tests of the in-process send queue; its effect on real sends is covered by concurrency.test.ts. */
describe('ConversationTurns', () => {
  it('gives one turn per conversation at a time, in FIFO order, and forgets idle conversations', async () => {
    const turns = new ConversationTurns();
    const order: string[] = [];
    expect(turns.isTaken('c1')).toBe(false);
    const first = await turns.take('c1');
    expect(turns.isTaken('c1')).toBe(true);
    const waiting = ['a', 'b', 'c'].map((name) =>
      turns.take('c1').then((release) => {
        order.push(name);
        return release;
      }),
    );
    const other = await turns.take('c2'); // another conversation is not blocked
    expect(turns.active).toBe(2);
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);

    first();
    first(); // idempotent: does not hand out a second turn
    const releaseA = await waiting[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['a']);
    releaseA();
    (await waiting[1])();
    (await waiting[2])();
    expect(order).toEqual(['a', 'b', 'c']);
    other();
    expect(turns.active).toBe(0);
    expect(turns.isTaken('c1')).toBe(false);
  });

  it('lets a waiter go on without a turn after the wait limit (no in-process deadlock)', async () => {
    const turns = new ConversationTurns(30);
    const held = await turns.take('c1');
    const noTurn = await turns.take('c1'); // resolves although c1 is still held
    noTurn(); // releasing a turn never granted changes nothing
    expect(turns.active).toBe(1);
    const next = turns.take('c1');
    held();
    (await next)();
    expect(turns.active).toBe(0);
  });
});
