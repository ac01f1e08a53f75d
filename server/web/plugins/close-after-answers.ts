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
    if (!answer) continue;
    if (!answer.headersSent) answer.shouldKeepAlive = false;
    // Its head said keep-alive already (a stream: the event streams end at the stop): the
    // connection is ended once it is sent (after Node's own 'finish' listener, which hands the
    // socket to a pipelined answer, if any: that one is told in turn).
    else answer.once('finish', () => endAfterAnswer(socket as HttpSocket));
  }
}

function endAfterAnswer(socket: HttpSocket): void {
  if (socket._httpMessage) closeAfterAnswers([socket]);
  else socket.end();
}
