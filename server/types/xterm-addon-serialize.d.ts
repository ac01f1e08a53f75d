// The part of @xterm/addon-serialize the daemon uses, for tsconfig.server.json only: the addon's own typings
// import @xterm/xterm's, which pull the DOM's globals into the server's type check (`tsc -p .` checks the real ones).
declare class SerializeAddon {
  activate(terminal: unknown): void;
  dispose(): void;
  serialize(): string;
}
declare const addon: { SerializeAddon: typeof SerializeAddon };
export default addon;
