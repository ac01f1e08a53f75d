import { describe, expect, it } from 'vitest';
import { getSocketUrlPattern } from '../../../server/web/plugins/websockets.ts';

describe('getSocketUrlPattern', () => {
  it("matches the URLs a socket route's path answers, with or without a query string", () => {
    const push = getSocketUrlPattern('/ws');
    expect(['/ws', '/ws?topics=a,b', '/ws?'].filter((url) => push.test(url))).toHaveLength(3);
    expect(['/wsx', '/ws/', '/Ws', '/x/ws', 'ws', '/ws#a'].filter((url) => push.test(url))).toEqual([]);
  });

  it('takes a parameter as one segment, never empty, and no other part as a pattern', () => {
    const terminal = getSocketUrlPattern('/terminal/ws/:id');
    expect(terminal.test('/terminal/ws/AbCdEfGhIjKlMnOpQrStUv')).toBe(true);
    expect(terminal.test('/terminal/ws/a?x=1')).toBe(true);
    for (const url of ['/terminal/ws/', '/terminal/ws/a/b', '/terminal/ws', '/terminal/wsx/a', '/terminal/ws/a/'])
      expect(terminal.test(url), url).toBe(false);
    expect(getSocketUrlPattern('/a.b/:id').test('/aXb/1')).toBe(false);
  });
});
