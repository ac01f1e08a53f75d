// Imported by main.ts before the daemon's modules load: the daemon
// restarts itself in place with glibc's mmap threshold in its environment when its launcher
// did not set it (server/native/native.ts says why). Not for `--help` and `install`.
import { restartWithMallocEnvironment } from './native/native.ts';

const command = process.argv.slice(2);
if (command[0] !== 'install' && !command.some((arg) => arg === '--help' || arg === '-h'))
  restartWithMallocEnvironment();
