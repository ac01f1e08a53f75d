import { maxNamesPerFrame } from './push-limits.ts';

// What a browser may send: topic names to follow and to leave.
export interface PushRequest {
  subscribe: string[];
  unsubscribe: string[];
}

// A frame that cannot be served, and why (the close reason says it to the client).
export interface FrameRefusal {
  reason: 'bad-frame' | 'too-many-names';
  message: string;
}

// Reads one frame from a browser: a JSON object like {"subscribe":["sessions"]} with at most
// `maxNamesPerFrame` names in all. Items that are not strings are skipped, as before.
// The frame's size is already bounded by ws (`maxFrameBytes`), so parsing it is cheap.
export function parsePushFrame(text: string | null): PushRequest | FrameRefusal {
  let value: unknown;
  try {
    value = JSON.parse(text ?? '');
  } catch {
    value = null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { reason: 'bad-frame', message: 'frames must be JSON objects like {"subscribe":["sessions"]}' };
  }
  const { subscribe, unsubscribe } = value as Record<string, unknown>;
  const length = (value: unknown) => (Array.isArray(value) ? value.length : 0);
  const count = length(subscribe) + length(unsubscribe);
  if (count > maxNamesPerFrame) {
    return { reason: 'too-many-names', message: `${count} topic names in one frame; at most ${maxNamesPerFrame}` };
  }
  return { subscribe: getNames(subscribe), unsubscribe: getNames(unsubscribe) };
}

function getNames(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
