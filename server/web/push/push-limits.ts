// The push channel's limits: every input that sizes work or memory on the server has one, so
// one session cannot starve the others (issue 11, item 5: a socket that never read, sending
// frames of 11,000 names, took the daemon to 2.2 GB). Each value says why it is what it is.

// Longest topic name accepted: `account/<login>` with a 32-byte login is 40; room to spare.
export const maxTopicNameLength = 100;

// Names (subscribe + unsubscribe) in one frame. A page subscribes to at most a handful of
// topics at once (web/stream sends its page's list, then one at a time); 32 is far above
// that and small enough that one frame's work is a few microseconds.
export const maxNamesPerFrame = 32;

// Bytes in one frame from a browser (ws `maxPayload`; a larger frame closes the socket with
// 1009 before it is parsed). The largest legitimate frame is `maxNamesPerFrame` names of
// `maxTopicNameLength` quoted: about 3.4 KiB.
export const maxFrameBytes = 4 * 1024;

// Topics one socket may follow. A page follows 1 to 5; an account page opened from a list
// adds one per account visited without reload. Each followed topic costs a render per change.
export const maxTopicsPerSocket = 64;

// Subscribe rate per socket, as a token bucket counted in names (a frame without names costs
// one): a page's first subscribe is a burst of a few names, then a name now and then. Each
// name costs a snapshot render (the accounts list is the costliest, ~5 ms for 1,000 rows),
// so 8 per second per socket keeps a socket well under a core's tenth.
export const subscribeBurst = 64;
export const subscribePerSecond = 8;

// Refused names (unknown, forbidden, over the topic limit) a socket may send before it is
// closed: a page that lost a topic (an account deleted while open) refuses a few; only a
// broken or hostile client refuses dozens.
export const maxRefusedNamesPerSocket = 32;

// Notices (the "Cannot follow…" message) sent to one socket: at most one per frame, and at
// most this burst then one per `noticeEveryMs`, so refusals are never amplified into output.
export const noticeBurst = 4;
export const noticeEveryMs = 5000;

// Bytes the server may hold for one socket that does not read (its outbox and
// `socket.bufferedAmount`: frame-outbox.ts)
// before it is dropped. The largest frames are snapshots (the status history, ~200 KiB; the
// accounts list of a big site, ~1 MiB), checked before each send, so a reader that keeps up
// never comes near; one that stops costs at most this plus one frame.
export const maxBufferedBytes = 4 * 1024 * 1024;

// Open sockets per session and per client address are config keys (push.max_sockets_per_*):
// a site with many users behind one NAT address raises the second. 32 per session is one per
// tab of a generous desk; 128 per address bounds what a script with many sessions from one
// machine holds open, each socket buffering at most maxBufferedBytes.

// Connections per session and per client address, as token buckets (connect-rate.ts) of
// twice the socket limit (32 per session: every tab reconnecting at once after a restart,
// twice), refilled in this many seconds (4 sockets a second per session, 16 per address: far
// above a person opening pages). A refused upgrade is answered 429 before the WebSocket exists.
export const connectRefillSeconds = 16;

// A refused upgrade is answered this late: a script that reconnects once answered cannot make
// the daemon do a TLS handshake every few ms, and a browser (whose own backoff starts at
// 250 ms) waits a little longer. At most maxHeldConnects are held at once (each costs a TLS
// socket, some KiB); past that, refusals are answered at once.
export const connectHoldMs = 2000;
export const maxHeldConnects = 256;

// Connections a socket closed for abuse costs its session and address on top of its own:
// 4 s of a session's refill, so a script that reconnects after each drop is soon refused.
export const abusePenaltyConnects = 16;

// Time a socket refused at once (past the socket limits) gets to answer its close frame
// before it is cut.
export const closeGraceMs = 1000;

// Time a socket closed for abuse (a frame too large or malformed, too many names, too fast)
// is held before it is cut: it is no longer read (what it keeps sending waits in the kernel,
// not in the daemon), and it still counts toward its session's socket limit, so a script that
// reconnects at once churns through at most push.max_sockets_per_session sockets per hold.
export const abuseHoldMs = 5000;

// The refusal counters go to the log at most this often (one line for all reasons).
export const refusalLogEveryMs = 10_000;
