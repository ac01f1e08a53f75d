// Run by push-flood.test.ts as its own process: the reconnect churn of the red team's
// MEDIUM 8 (one non-admin with 4 sessions opened ~1,700 push sockets in 8 s). For each
// session cookie (argv[6…]) it runs `loops` connection loops to argv[2] (a wss:// URL, Origin
// argv[3]): open a socket, send 4 frames of 32 unknown names (the server closes it for them),
// read as a browser would (so the close frame is answered at once) and reconnect 10 ms after
// any close or refusal, as fast as it can. It churns in `rounds` rounds: `phaseMs` quiet, then
// `phaseMs` of churn, printing "quiet" and "churn" as each begins, and at the end one JSON
// line with what it did.
import WebSocket from 'ws';

const [url, origin, loopsText, roundsText, phaseText, ...cookies] = process.argv.slice(2);
const [loops, rounds, phaseMs] = [loopsText, roundsText, phaseText].map(Number) as [number, number, number];

// 32 names of 100 bytes and more: unknown, just under the frame size limit.
const frame = JSON.stringify({ subscribe: Array.from({ length: 32 }, (_, i) => `${'x'.repeat(100)}${i}`) });
const done = { opened: 0, refused: 0, closes: {} as Record<number, number>, errors: {} as Record<string, number> };
const open = new Set<WebSocket>();
let churning = false;

function connect(cookie: string): void {
  if (!churning) return;
  const socket = new WebSocket(url!, { headers: { cookie, origin: origin! }, rejectUnauthorized: false });
  open.add(socket);
  let ended = false;
  const again = () => {
    if (ended) return;
    ended = true;
    open.delete(socket);
    setTimeout(() => connect(cookie), 10);
  };
  socket.on('open', () => {
    done.opened += 1;
    for (let i = 0; i < 4; i += 1) socket.send(frame);
  });
  socket.on('unexpected-response', (_request, response) => {
    done.refused += 1;
    response.resume();
    socket.terminate();
    again();
  });
  socket.on('close', (code) => {
    done.closes[code] = (done.closes[code] ?? 0) + 1;
    again();
  });
  socket.on('error', (error) => {
    done.errors[error.message] = (done.errors[error.message] ?? 0) + 1;
    again();
  });
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
for (let round = 0; round < rounds; round += 1) {
  process.stdout.write('quiet\n');
  await wait(phaseMs);
  process.stdout.write('churn\n');
  churning = true;
  for (const cookie of cookies) for (let i = 0; i < loops; i += 1) connect(cookie!);
  await wait(phaseMs);
  churning = false;
  for (const socket of open) socket.terminate();
  open.clear();
}
process.stdout.write(`quiet\n${JSON.stringify(done)}\n`);
process.exit(0);
