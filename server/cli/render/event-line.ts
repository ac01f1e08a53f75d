import type { JournalEntryView } from '../../core/events/event-schema.ts';
import { paint, type Output, type Style } from './output.ts';
import { getTerminalText } from '../../core/text/terminal-text.ts';

const facilityStyles: Record<string, Style> = { accounts: 'green', groups: 'green', volumes: 'yellow', auth: 'red' };

// One core event as a trace line: its time (local, to the millisecond), facility, name and
// fields (`login=alice uid=1001`; a list or an object as JSON, a text with spaces quoted).
export function renderEventLine(output: Output, event: JournalEntryView): string {
  const time = new Date(event.time);
  const clock = Number.isNaN(time.getTime()) ? String(event.time) : formatClock(time);
  const facility = paint(output, facilityStyles[event.facility] ?? 'cyan', getTerminalText(event.facility).padEnd(8));
  const name = paint(output, 'bold', getTerminalText(String(event.name)));
  return [paint(output, 'dim', getTerminalText(clock)), facility, name, ...formatFields(event.data)]
    .join(' ')
    .trimEnd();
}

function formatClock(time: Date): string {
  const two = (figure: number) => String(figure).padStart(2, '0');
  const date = `${time.getFullYear()}-${two(time.getMonth() + 1)}-${two(time.getDate())}`;
  const clock = `${two(time.getHours())}:${two(time.getMinutes())}:${two(time.getSeconds())}`;
  return `${date} ${clock}.${String(time.getMilliseconds()).padStart(3, '0')}`;
}

function formatFields(data: unknown): string[] {
  if (data === null || data === undefined) return [];
  if (typeof data !== 'object' || Array.isArray(data)) return [formatValue(data)];
  return Object.entries(data as Record<string, unknown>).map(
    ([key, value]) => `${getTerminalText(key)}=${formatValue(value)}`,
  );
}

// A field's value on one line: control characters and spaces never break the trace's shape,
// and what JSON leaves raw (C1, bidi and other format characters) is escaped for the terminal.
function formatValue(value: unknown): string {
  if (typeof value === 'string' && value !== '' && /^[^\s"=\p{Cc}\p{Cf}]*$/u.test(value)) return value;
  return getTerminalText(JSON.stringify(value) ?? 'null');
}
