// How the command writes: colours only on a terminal, never with NO_COLOR (no-color.org) or
// TERM=dumb, and the terminal's width for tables.
export interface Output {
  colors: boolean;
  isTerminal: boolean;
  write(data: string | Uint8Array): void;
}

// The output of this process.
export function getOutput(stream: NodeJS.WriteStream = process.stdout, environment = process.env): Output {
  const isTerminal = Boolean(stream.isTTY);
  const colors = isTerminal && !environment.NO_COLOR && environment.TERM !== 'dumb';
  return { colors, isTerminal, write: (data) => stream.write(data) };
}

const codes = { bold: [1, 22], dim: [2, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39] };
// A style of the few the command uses.
export type Style = keyof typeof codes;

// `text` in a style when colours are on, unchanged otherwise.
export function paint(output: Output, style: Style, text: string): string {
  if (!output.colors || text === '') return text;
  const [open, close] = codes[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}
