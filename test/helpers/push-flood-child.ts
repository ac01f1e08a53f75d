// Run by push-flood.test.ts as its own process (so that its work is not the test's): the
// abusive client of issue 11, item 5. It opens push sockets to argv[2] (a wss:// URL) with
// the session cookie argv[3] and Origin argv[4], never reads what the server sends, and
// writes `frames` frames of `names` unknown topic names on each (every other socket sends
// frames of 32 names instead, under the frame size limit). A socket the server drops or
// refuses is replaced (as a reconnecting script would, 50 ms later), at most `parallel` open
// at once. It floods in `rounds` rounds: `phaseMs` quiet, then `phaseMs` of flood, printing
// "quiet" and "flood" as each begins (the test acts within each flood phase), and at the end
// one JSON line with what it did.
import WebSocket from 'ws';

const [url, cookie, origin, ...numbers] = process.argv.slice(2);
const [frames, names, parallel, rounds, phaseMs] = numbers.map(Number) as [number, number, number, number, number];

// One frame as item 5 describes it: {"subscribe":[…11,000 unknown names…]}, under 64 KiB.
const createFrame = (count: number) =>
  JSON.stringify({ subscribe: Array.from({ length: count }, (_, i) => i.toString(36)) });
const frameKinds = [createFrame(names), createFrame(32)];
const done = { opened: 0, framesWritten: 0, bytesWritten: 0, frameBytes: frameKinds.map((frame) => frame.length) };
const open = new Set<WebSocket>();
let tried = 0;
let flooding = false;

function openOne(): void {
  if (!flooding || open.size >= parallel) return;
  const frame = frameKinds[tried % frameKinds.length]!;
  tried += 1;
  const socket = new WebSocket(url!, { headers: { cookie: cookie!, origin: origin! }, rejectUnauthorized: false });
  open.add(socket);
  const end = () => {
    if (!open.delete(socket)) return;
    socket.terminate();
    setTimeout(openOne, 50);
  };
  socket.on('open', () => {
    done.opened += 1;
    // Never read: the server's frames pile up in the kernel, then in the server. Such a
    // client cannot see a close frame either: it stops when a write fails on a connection
    // the server cut, or at the end of the phase.
    socket.pause();
    // Frames go out as fast as the server takes them (four in flight), not faster: a
    // client cannot make the server read more, and queuing them here would only spend this
    // process's CPU on masking frames the shared machine's daemon never sees.
    let sent = 0;
    const sendNext = () => {
      if (sent >= frames || socket.readyState !== socket.OPEN) return;
      sent += 1;
      done.framesWritten += 1;
      done.bytesWritten += frame.length;
      socket.send(frame, (error) => {
        if (!error) sendNext();
      });
    };
    for (let i = 0; i < 4; i += 1) sendNext();
  });
  socket.on('unexpected-response', end);
  socket.on('error', end);
  socket.on('close', end);
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
for (let round = 0; round < rounds; round += 1) {
  process.stdout.write('quiet\n');
  await wait(phaseMs);
  process.stdout.write('flood\n');
  flooding = true;
  for (let i = 0; i < parallel; i += 1) openOne();
  await wait(phaseMs);
  flooding = false;
  for (const socket of open) socket.terminate();
  open.clear();
}
process.stdout.write(`quiet\n${JSON.stringify(done)}\n`);
process.exit(0);
