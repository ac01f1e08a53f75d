// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { setText } from '../../web/status/set-text.ts';

describe('setText', () => {
  it('changes the data of the one text node an element has, keeping the node', () => {
    const element = document.createElement('dd');
    element.textContent = '12 MiB';
    const node = element.firstChild;
    setText(element, '13 MiB');
    expect(element.textContent).toBe('13 MiB');
    expect(element.firstChild).toBe(node);
    expect(element.childNodes).toHaveLength(1);
  });

  it('writes nothing when the text is the same', () => {
    const element = document.createElement('li');
    element.textContent = 'eth0 in 1 KiB/s';
    const observer = new MutationObserver(() => {});
    observer.observe(element, { characterData: true, childList: true, subtree: true });
    setText(element, 'eth0 in 1 KiB/s');
    expect(observer.takeRecords()).toEqual([]);
    observer.disconnect();
  });

  it('fills an empty element, and replaces children that are not one text node', () => {
    const empty = document.createElement('dd');
    setText(empty, '3');
    expect(empty.textContent).toBe('3');
    const mixed = document.createElement('li');
    mixed.append(document.createElement('b'), 'x');
    setText(mixed, 'no data');
    expect(mixed.childNodes).toHaveLength(1);
    expect(mixed.textContent).toBe('no data');
    const twoTexts = document.createElement('li');
    twoTexts.append('a', 'b');
    setText(twoTexts, 'ab');
    expect(twoTexts.textContent).toBe('ab');
    setText(twoTexts, 'c');
    expect(twoTexts.childNodes).toHaveLength(1);
    expect(twoTexts.textContent).toBe('c');
  });
});
