import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilentOrString } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type ParentLogger = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };

// `request.log` that makes pino's child logger (the request id in its bindings) when a line is
// first written at an enabled level, not for every request: at the daemon's usual levels most
// requests write none, and a child per request (its formatters, its bindings serialized)
// showed in the login page's keep-alive figures (bench/README.md, eleventh session).
class LazyRequestLogger implements FastifyBaseLogger {
  readonly #parent: ParentLogger;
  readonly #bindings: Bindings;
  readonly #options: ChildLoggerOptions;
  #child: FastifyBaseLogger | null = null;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent as ParentLogger;
    this.#bindings = bindings;
    this.#options = options;
  }

  #made(): FastifyBaseLogger {
    return (this.#child ??= this.#parent.child(this.#bindings, this.#options));
  }

  // Writes at `level`: nothing when the parent would write nothing at that level.
  #log(level: Level, args: unknown[]): void {
    if (this.#child === null && !this.#parent.isLevelEnabled(level)) return;
    (this.#made()[level] as (...args: unknown[]) => void)(...args);
  }

  get level(): LevelWithSilentOrString {
    return this.#child?.level ?? this.#parent.level;
  }
  set level(level: LevelWithSilentOrString) {
    this.#made().level = level;
  }
  fatal(...args: unknown[]): void {
    this.#log('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#log('error', args);
  }
  warn(...args: unknown[]): void {
    this.#log('warn', args);
  }
  info(...args: unknown[]): void {
    this.#log('info', args);
  }
  debug(...args: unknown[]): void {
    this.#log('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#log('trace', args);
  }
  silent(): void {}
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#made().child(bindings, options);
  }
}

// Fastify's `childLoggerFactory`: a lazy child, unless the route asks for a level or
// serializers of its own (none does today), which pino's child then applies as before.
export const createRequestLogger = (
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger =>
  options.level !== undefined || options.serializers !== undefined
    ? logger.child(bindings, options)
    : new LazyRequestLogger(logger, bindings, options);

// createRequestLogger over `logger` whatever Fastify passes (its null logger when it has none).
export const createRequestLoggerOf =
  (logger: FastifyBaseLogger) =>
  (_fastifys: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger =>
    createRequestLogger(logger, bindings, options);
