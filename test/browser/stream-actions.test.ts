// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyStreamMessages, notificationMs, registerChart } from '../../web/stream/stream-actions.ts';

beforeEach(() => {
  document.body.innerHTML = `
    <ul id="list"><li id="item-a">a</li><li id="item-b">b</li></ul>
    <div id="box"><p>old</p></div>
    <div id="notifications"></div>`;
});
afterEach(() => vi.useRealTimers());

const ids = () => [...document.querySelectorAll('#list > li')].map((li) => `${li.id}:${li.textContent}`);

describe('the browser stream client', () => {
  it('append adds as last children', () => {
    applyStreamMessages([{ action: 'append', target: 'list', html: '<li id="item-c">c</li>' }]);
    expect(ids()).toEqual(['item-a:a', 'item-b:b', 'item-c:c']);
  });

  it('append replaces a child with the same id instead of doubling it', () => {
    applyStreamMessages([{ action: 'append', target: 'list', html: '<li id="item-a">a2</li>' }]);
    expect(ids()).toEqual(['item-b:b', 'item-a:a2']);
  });

  it('prepend adds as first children, also without duplicates', () => {
    applyStreamMessages([{ action: 'prepend', target: 'list', html: '<li id="item-b">b2</li><li id="item-z">z</li>' }]);
    expect(ids()).toEqual(['item-b:b2', 'item-z:z', 'item-a:a']);
  });

  it('before inserts a sibling before the target', () => {
    applyStreamMessages([{ action: 'before', target: 'item-b', html: '<li id="item-ab">ab</li>' }]);
    expect(ids()).toEqual(['item-a:a', 'item-ab:ab', 'item-b:b']);
  });

  it('after inserts a sibling after the target', () => {
    applyStreamMessages([{ action: 'after', target: 'item-a', html: '<li id="item-ab">ab</li>' }]);
    expect(ids()).toEqual(['item-a:a', 'item-ab:ab', 'item-b:b']);
  });

  it('replace swaps the target itself', () => {
    applyStreamMessages([{ action: 'replace', target: 'item-a', html: '<li id="item-a" class="new">A</li>' }]);
    expect(ids()).toEqual(['item-a:A', 'item-b:b']);
    expect(document.getElementById('item-a')!.className).toBe('new');
  });

  it("update replaces the target's content", () => {
    applyStreamMessages([{ action: 'update', target: 'box', html: '<p>new</p><p>two</p>' }]);
    expect(document.getElementById('box')!.innerHTML).toBe('<p>new</p><p>two</p>');
  });

  it('remove deletes the target, and a missing target is no error', () => {
    applyStreamMessages([
      { action: 'remove', target: 'item-a' },
      { action: 'remove', target: 'item-a' },
    ]);
    expect(ids()).toEqual(['item-b:b']);
  });

  it('sample hands data to the chart registered under the target', () => {
    const received: unknown[] = [];
    const unregister = registerChart('cpu', (data) => received.push(data));
    applyStreamMessages([{ action: 'sample', target: 'cpu', data: { t: 1, user: 0.5 } }]);
    unregister();
    applyStreamMessages([{ action: 'sample', target: 'cpu', data: { t: 2 } }]);
    expect(received).toEqual([{ t: 1, user: 0.5 }]);
  });

  it('notify shows a transient notification', () => {
    vi.useFakeTimers();
    applyStreamMessages([{ action: 'notify', target: 'notifications', html: '<p>Saved</p>' }]);
    expect(document.querySelector('#notifications .toast')!.textContent).toBe('Saved');
    vi.advanceTimersByTime(notificationMs);
    expect(document.querySelector('#notifications .toast')).toBeNull();
  });

  it('logs and skips an unknown action, still applying the rest of the frame', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    applyStreamMessages([
      { action: 'explode', target: 'list' },
      { action: 'constructor', target: 'list' },
      { action: 'append', target: 'list', html: '<li id="item-c">c</li>' },
    ]);
    expect(warn).toHaveBeenCalledWith(
      'stream: unknown action, skipped',
      expect.objectContaining({ action: 'explode' }),
    );
    expect(ids()).toEqual(['item-a:a', 'item-b:b', 'item-c:c']);
    warn.mockRestore();
  });

  it('replaces or removes a row not shown here without a word, but names a missing container', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    applyStreamMessages([
      { action: 'replace', target: 'item-elsewhere', html: '<li id="item-elsewhere">x</li>' },
      { action: 'remove', target: 'item-elsewhere' },
    ]);
    expect(warn).not.toHaveBeenCalled();
    expect(ids()).toEqual(['item-a:a', 'item-b:b']);
    applyStreamMessages([{ action: 'append', target: 'no-such-list', html: '<li id="item-x">x</li>' }]);
    expect(warn).toHaveBeenCalledWith('stream: no element #no-such-list for "append"');
    warn.mockRestore();
  });

  it('finds targets whose ids a CSS selector would misread', () => {
    document.body.insertAdjacentHTML(
      'beforeend',
      '<table><tbody id="rows"><tr id="account-john.doe"><td>x</td></tr></tbody></table>',
    );
    applyStreamMessages([
      { action: 'replace', target: 'account-john.doe', html: '<tr id="account-john.doe"><td>y</td></tr>' },
    ]);
    expect(document.getElementById('account-john.doe')!.textContent).toBe('y');
    applyStreamMessages([{ action: 'append', target: 'rows', html: '<tr id="account-jane"><td>z</td></tr>' }]);
    expect(document.querySelectorAll('#rows > tr')).toHaveLength(2);
  });
});
