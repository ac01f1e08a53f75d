import { CoreError } from '../errors.ts';
import { say } from '../messages.ts';

// Runs `load`, the import of the terminal's code (a chunk of dist/server/chunks, loaded at the first
// terminal), and says what a missing one means: the build kept the chunks of its last builds
// (server/build-chunks.ts), so a licornd still running through more rebuilds than that, or an
// upgrade by a package, finds its chunk gone, and only a restart of licornd brings it back.
export async function loadTerminalModule<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new CoreError('conflict', say('terminals.upgraded'), { cause: error });
  }
}
