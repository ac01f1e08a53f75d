// Fastify's request ids ("req-1", "req-2"… as its own default makes them), counting the
// requests as they go: Fastify asks for an id on every request, routed or not, so the Status
// page's request rate needs no onRequest hook of its own (a hook turn on every request, the
// keep-alive figures, bench/README.md, fifteenth session).
export interface RequestIds {
  // Fastify's genReqId.
  next: () => string;
  // The requests seen since the app was built.
  count: () => number;
}

// Ids wrap at 2^31 − 1 as Fastify's do (a small integer for V8); the count does not.
const maxId = 2_147_483_647;

// A request id maker and counter for one app.
export function createRequestIds(): RequestIds {
  let requests = 0;
  return {
    next: () => {
      requests += 1;
      return `req-${(requests & maxId).toString(36)}`;
    },
    count: () => requests,
  };
}
