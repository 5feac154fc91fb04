import { dataJSON, deliveryFrame, parseClientFrame } from '../../../src/server/pubsub/frames';

describe('pubsub frames', () => {
  it('builds delivery frames byte for byte as JSON.stringify({ channel, data }) does', () => {
    const values: unknown[] = [{ event: 'create', data: { record: { _id: 'message/1', body: 'hé "quoted" \n' } } }, 'text', 0, [1, 'two'], false];
    for (const data of values) {
      for (const channel of ['plain', 'with "quotes" and \\ and ünïcode']) {
        expect(deliveryFrame(channel, dataJSON(data))).toBe(JSON.stringify({ channel, data }));
      }
    }
  });

  it('refuses data that is not JSON', () => {
    expect(() => dataJSON(undefined)).toThrow(/not JSON/);
    expect(() => dataJSON(10n)).toThrow();
  });

  it('parses the client frames', () => {
    expect(parseClientFrame('{"action":"sub","channel":"c"}')).toEqual({ kind: 'sub', channel: 'c' });
    expect(parseClientFrame('{"action":"pub","channel":"c"}')).toMatchObject({ kind: 'fatal' });
  });
});
