// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { BarChart, type Bar } from '../../web/status/bar-chart.ts';

const bars = (load: number): Bar[] =>
  ['1', '5'].map((minutes) => ({ key: minutes, label: `${minutes} min`, value: load, text: load.toFixed(2) }));

describe('the bars', () => {
  it('write nothing when a tick brings the same bars, and the texts that changed otherwise', async () => {
    const element = document.createElement('div');
    document.body.append(element);
    const chart = new BarChart(element);
    chart.update(bars(1.5), 2);
    const texts = () => [...element.querySelectorAll('.bar-text')].map((text) => text.textContent);
    expect(texts()).toEqual(['1.50', '1.50']);
    const changes: MutationRecord[] = [];
    const observer = new MutationObserver((records) => changes.push(...records));
    observer.observe(element, { subtree: true, childList: true, attributes: true, characterData: true });
    chart.update(bars(1.5), 2);
    await Promise.resolve();
    expect(changes).toEqual([]);
    chart.update(bars(1.75), 2);
    await Promise.resolve();
    expect(changes.length).toBeGreaterThan(0);
    expect(texts()).toEqual(['1.75', '1.75']);
    observer.disconnect();
  });
});
