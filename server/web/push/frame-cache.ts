import type { StreamMessage } from './stream-message.ts';

// Frames already serialized, by the messages they carry: a topic that returns the same
// messages to every socket of a language (the status snapshot, a row pushed to 1,000 pages)
// is serialized once, and every socket is sent the same buffer (ws would copy a string into a
// buffer of its own for each socket). Weak: a frame lives as long as its messages.
export class FrameCache {
  readonly #frames = new WeakMap<StreamMessage[], Buffer>();

  // The frame of `messages`: a JSON array of them, as bytes.
  serialize(messages: StreamMessage[]): Buffer {
    let frame = this.#frames.get(messages);
    if (!frame) {
      frame = Buffer.from(JSON.stringify(messages));
      this.#frames.set(messages, frame);
    }
    return frame;
  }
}
