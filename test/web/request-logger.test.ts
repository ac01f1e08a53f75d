import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { createRequestLogger, createRequestLoggerOf } from '../../server/web/request-logger.ts';

// A pino logger at `level` whose lines are kept, parsed.
function makeLogger(level: string) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe("a request's lazy logger", () => {
  it('writes nothing below the level, and a line with the request id at it', () => {
    const { logger, lines } = makeLogger('warn');
    const log = createRequestLogger(logger, { reqId: 'req-7' }, {});
    log.info({ url: '/login/' }, 'not written');
    log.debug('nor this');
    expect(lines).toEqual([]);
    log.warn({ url: '/x' }, 'refused');
    log.error(new Error('boom'));
    expect(lines.map((line) => [line.reqId, line.msg, line.level])).toEqual([
      ['req-7', 'refused', 40],
      ['req-7', 'boom', 50],
    ]);
    expect(lines[0]!.url).toBe('/x');
  });

  it("follows the parent's level, and a level set on it applies to that request only", () => {
    const { logger, lines } = makeLogger('info');
    const log = createRequestLogger(logger, { reqId: 'req-8' }, {});
    expect(log.level).toBe('info');
    log.level = 'error';
    log.warn('hidden');
    expect(lines).toEqual([]);
    logger.warn('the parent still writes');
    expect(lines.map((line) => line.msg)).toEqual(['the parent still writes']);
    log.child({ part: 'x' }).error('from a child');
    expect(lines.at(-1)).toMatchObject({ reqId: 'req-8', part: 'x', msg: 'from a child' });
  });

  it("takes pino's own child when a route asks for a level of its own", () => {
    const { logger, lines } = makeLogger('warn');
    const log = createRequestLogger(logger, { reqId: 'req-9' }, { level: 'debug' });
    log.debug('written');
    expect(lines.map((line) => [line.reqId, line.msg])).toEqual([['req-9', 'written']]);
  });

  it("writes to the app's pino, not to the null logger Fastify passes when it has none", () => {
    const { logger, lines } = makeLogger('warn');
    const silent = pino({ level: 'silent' });
    const log = createRequestLoggerOf(logger)(silent, { reqId: 'req-10' }, {});
    log.warn('refused');
    expect(lines.map((line) => [line.reqId, line.msg])).toEqual([['req-10', 'refused']]);
  });
});
