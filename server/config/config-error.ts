// A configuration problem: its message is the one line licornd prints before exiting.
export class ConfigError extends Error {
  override name = 'ConfigError';
}
