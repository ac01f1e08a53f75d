import { describe, expect, it } from 'vitest';
import { getAreaPath, getLinePath } from '../../web/status/path-data.ts';

describe('the status charts\' path data', () => {
  it('draws a line to a tenth of a pixel, broken where the series is absent', () => {
    expect(getLinePath([0, 1.26, 2.5, 3.75, 5], [10, 11.04, null, 12, 13])).toBe('M0,10L1.3,11M3.8,12L5,13');
    expect(getLinePath([], [])).toBe('');
  });

  it('closes a stack layer along its lower line, backwards', () => {
    expect(getAreaPath([0, 1, 2], [100, 100, 100], [90, 80, 70])).toBe('M0,90L1,80L2,70L2,100L1,100L0,100Z');
    expect(getAreaPath([], [], [])).toBe('');
  });
});
