import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from '@playwright/test';

// axe-core as @axe-core/playwright ships it (resolved through that package, our dependency).
// AxeBuilder injects these 650 KB twice per run and finishes each run in a new blank page: four
// times slower than injecting them once per page load and calling axe.run in the page, which
// is what the checks below do (they have no frames, which is what the blank page is for).
const fromPlaywrightPackage = createRequire(createRequire(import.meta.url).resolve('@axe-core/playwright'));
const axeSource = readFileSync(fromPlaywrightPackage.resolve('axe-core/axe.min.js'), 'utf8');

// WCAG 2.0 and 2.1, levels A and AA, and axe's best practices.
export const axeTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
// The rules whose outcome hangs on colours alone: all a change of theme can change.
export const colourRules = ['color-contrast', 'link-in-text-block'];

// The serious and critical violations axe-core finds on the page (or in `include`), one line
// each with where they are and why, so a failure says what to fix. `rules` narrows the run
// to those rules; by default, every rule of axeTags.
export async function getSeriousViolations(page: Page, include?: string, rules?: string[]): Promise<string[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axeSource);
  const runOnly = rules ? { type: 'rule', values: rules } : { type: 'tag', values: axeTags };
  return page.evaluate(
    async ({ include, runOnly }) => {
      const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
      const context = include ? { include: [include] } : document;
      const { violations } = await axe.run(context, {
        runOnly,
        resultTypes: ['violations'],
      } as import('axe-core').RunOptions);
      return violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .flatMap((violation) =>
          violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}: ${node.failureSummary ?? ''}`),
        );
    },
    { include, runOnly },
  );
}

// WCAG's contrast ratio of two computed CSS colours (rgb or rgba over an opaque background).
export function getContrast(a: string, b: string): number {
  const luminance = (color: string) => {
    const [r, g, bl] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((part) => {
      const c = Number(part) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}
