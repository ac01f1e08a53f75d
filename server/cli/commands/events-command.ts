import { Command } from 'commander';
import type { JournalEntryView } from '../../core/events/event-schema.ts';
import { RefusedError } from '../cli-errors.ts';
import { renderEventLine } from '../render/event-line.ts';
import { getTerminalJson } from '../../core/text/terminal-text.ts';
import type { WithContext } from './get-resources.ts';
import { parseId } from './option-values.ts';

interface EventsOptions {
  monitor?: boolean;
  filter?: string;
  limit?: number;
  json?: boolean;
}

// `licorn get events [-m] [-f EXPR]`: the core's recent events (GET /api/v1/events), or with
// -m the live stream (GET /api/v1/events/stream, NDJSON) until Ctrl-C. EXPR is Licorn's:
// facilities joined by `|`, removed with `^` (`accounts|groups^watch`); the daemon parses it
// and names a bad one.
export function createEventsCommand(withContext: WithContext): Command {
  return new Command('events')
    .description("the core's events as lines: time, facility, name, fields (-m: follow live)")
    .option('-m, --monitor', 'follow the events as they happen, until Ctrl-C')
    .option('-f, --filter <expr>', "facilities joined by |, removed with ^ ('accounts|groups^watch')")
    .option('-n, --limit <count>', 'how many recent events (without -m)', parseId)
    .option('--json', 'print each event as JSON (one a line with -m)')
    .action(async (options: EventsOptions, command: Command) => {
      const { output, getClient } = withContext(command);
      const client = getClient();
      const query = new URLSearchParams();
      if (options.filter !== undefined) query.set('filter', options.filter);
      if (!options.monitor) {
        if (options.limit !== undefined) query.set('limit', String(options.limit));
        const path = `/api/v1/events${query.size > 0 ? `?${query}` : ''}`;
        if (options.json) return client.copyTo('GET', path, output);
        const text = await client.getText('GET', path);
        const { events } = JSON.parse(text) as { events: JournalEntryView[] };
        return output.write(events.map((event) => `${renderEventLine(output, event)}\n`).join(''));
      }
      const stream = await client.openStream(`/api/v1/events/stream${query.size > 0 ? `?${query}` : ''}`);
      // Said once the daemon accepted the stream: from here on no event is missed.
      process.stderr.write(`licorn: following events${options.filter ? ` (${options.filter})` : ''}; Ctrl-C stops\n`);
      const { createInterface } = await import('node:readline');
      const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
      // Ctrl-C or SIGTERM: the one normal end (status 0). Closing the reader ends the loop below
      // (a destroyed stream alone would leave it waiting).
      let stopped = false;
      const stop = () => {
        stopped = true;
        stream.destroy();
        lines.close();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // The daemon's last line, when it ended the stream itself: why.
      let ended: string | null = null;
      try {
        for await (const line of lines) {
          // An empty line is the daemon's heartbeat on a quiet stream.
          if (line.trim() === '') continue;
          const parsed = JSON.parse(line) as JournalEntryView | { end: string; message?: string };
          if ('end' in parsed) {
            ended = typeof parsed.message === 'string' ? parsed.message : String(parsed.end);
            continue;
          }
          output.write(options.json ? `${getTerminalJson(line)}\n` : `${renderEventLine(output, parsed)}\n`);
        }
      } catch (error) {
        if (!stopped) throw error;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
      if (stopped) return;
      // Never taken for a normal end: a script or a watcher must know it no longer follows.
      throw new RefusedError(
        ended
          ? `licornd at ${client.where} ended the event stream: ${ended}`
          : `licornd at ${client.where} ended the event stream (the connection closed)`,
        { field: 'stream' },
      );
    });
}
