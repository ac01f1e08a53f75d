import type { Command } from 'commander';
import { ApiClient } from './client/api-client.ts';
import { getTarget, type TargetOptions } from './client/get-target.ts';
import { createRemoteAuth } from './client/remote-auth.ts';
import { getOutput, type Output } from './render/output.ts';
import { getTerminalJson } from '../core/text/terminal-text.ts';

// What every verb needs: a client of the daemon the global options name, and the output.
export interface CliContext {
  output: Output;
  getClient(): ApiClient;
}

// The context of the command being run (its global options are the program's).
export function createContext(command: Command, projectDir: string): CliContext {
  let client: ApiClient | null = null;
  return {
    output: getOutput(),
    getClient() {
      if (client) return client;
      const target = getTarget(command.optsWithGlobals<TargetOptions>(), projectDir);
      client = new ApiClient(target, target.kind === 'remote' ? createRemoteAuth() : null);
      clients.add(client);
      return client;
    },
  };
}

const clients = new Set<ApiClient>();

// Closes every client made, so that no kept-alive connection holds the process.
export function closeClients(): void {
  for (const client of clients) client.close();
  clients.clear();
}

// Writes an answer's JSON as the API sent it (`--json`), ending with a newline, with the
// characters a terminal acts on (C1, bidi…) as \u escapes: the same JSON value.
export function writeJson(output: Output, text: string): void {
  const json = getTerminalJson(text);
  output.write(json.endsWith('\n') ? json : `${json}\n`);
}
