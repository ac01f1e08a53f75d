import type { Output } from './output.ts';
import type { resourceViews } from './resource-columns.ts';

type Views = typeof resourceViews;

// Prints `data` as the table or record `view` (resource-columns.ts, loaded now, not at start).
export async function writeView<Name extends keyof Views>(
  output: Output,
  view: Name,
  data: Parameters<Views[Name]>[1],
): Promise<void> {
  const { resourceViews: views } = await import('./resource-columns.ts');
  output.write((views[view] as (output: Output, data: unknown) => string)(output, data));
}
