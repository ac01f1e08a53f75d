import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

type HttpSocket = Socket & { _httpMessage?: ServerResponse | null };

// Has the answers in flight on these connections close their connection once sent
// (`Connection: close`, Node's own when a response may not keep alive), as a stop begins:
// Node closes the idle connections then, but one whose request was in flight would stay open
// after its answer (keep-alive, 72 s) and hold the stop. Reaching them here, once, spares every
// answer an onSend hook that looked for the stop (bench/README.md, fourteenth session).
export function closeAfterAnswers(sockets: Iterable<Socket>): void {
  for (const socket of sockets) {
    const answer = (socket as HttpSocket)._httpMessage;
    if (answer && !answer.headersSent) answer.shouldKeepAlive = false;
  }
}
