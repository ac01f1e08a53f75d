import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const serverScript = join(import.meta.dirname, 'hanging-fuse-server.py');

// A FUSE mount serving one image file as `<mountPoint>/img`, whose reads can be made to hang
// for real (hanging-fuse-server.py): a device that stops answering, for the deadline tests.
export interface HangingFuse {
  file: string;
  // From now on, reads of the file are never answered (processes reading it sleep in D state).
  hang(): Promise<void>;
  // From now on, nothing is answered: a stat() of the file hangs too.
  silence(): Promise<void>;
  // Ends the server (the kernel aborts the connection: stuck reads fail) and unmounts.
  stop(): Promise<void>;
}

// Waits for a line from the server, or fails when it exits or says something else.
function waitForLine(child: ChildProcess, expected: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes(`${expected}\n`)) {
        child.stdout!.off('data', onData);
        resolve();
      } else if (text.includes('failed')) reject(new Error(`FUSE server: ${text.trim()}`));
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`FUSE server exited (${code}): ${text.trim()}`)));
  });
}

// Starts the server as root over `image`, mounted on `mountPoint` (made if absent).
export async function startHangingFuse(image: string, mountPoint: string): Promise<HangingFuse> {
  await mkdir(mountPoint, { recursive: true });
  const child = spawn('python3', [serverScript, image, mountPoint], { stdio: ['ignore', 'pipe', 'inherit'] });
  await waitForLine(child, 'mounted');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    file: join(mountPoint, 'img'),
    async hang() {
      const acknowledged = waitForLine(child, 'hanging');
      child.kill('SIGUSR1');
      await acknowledged;
    },
    async silence() {
      const acknowledged = waitForLine(child, 'silent');
      child.kill('SIGUSR2');
      await acknowledged;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      await run('umount', ['-l', mountPoint]).catch(() => {});
    },
  };
}
