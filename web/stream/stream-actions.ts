import $ from 'jquery';

// One push message (DESIGN.md, "Push protocol").
export interface StreamMessage {
  action: string;
  target: string;
  html?: string;
  data?: unknown;
}

type ActionHandler = (message: StreamMessage) => void;

// Charts receive `sample` messages by the name they registered under.
const charts = new Map<string, (data: unknown) => void>();

// Registers a chart (or anything) to receive `sample` data addressed to `name`.
export function registerChart(name: string, handler: (data: unknown) => void): () => void {
  charts.set(name, handler);
  return () => charts.delete(name);
}

// How long a notification stays on screen.
export const notificationMs = 6000;

// Targets are ids, found with getElementById: ids such as `account-john.doe` hold
// characters a CSS selector would misread.
function getTarget(message: StreamMessage): JQuery<HTMLElement> | null {
  const element = document.getElementById(message.target);
  if (!element) {
    console.warn(`stream: no element #${message.target} for "${message.action}"`);
    return null;
  }
  return $(element);
}

function parseFragment(html: string | undefined): JQuery.Node[] {
  return $.parseHTML(html ?? '', document, false);
}

// Removes the target's children that carry the id of an incoming element, so that a
// replayed or re-synced row replaces its old copy instead of doubling it.
function removeDuplicates(target: JQuery<HTMLElement>, fragment: JQuery.Node[]): void {
  fragment.forEach((node) => {
    if (!(node instanceof Element) || !node.id) return;
    const existing = document.getElementById(node.id);
    if (existing && existing.parentElement === target[0]) existing.remove();
  });
}

// append/prepend: the fragment goes in as the target's last/first children, replacing
// children with the same ids.
function insertChildren(message: StreamMessage, where: 'append' | 'prepend'): void {
  const target = getTarget(message);
  if (!target) return;
  const fragment = parseFragment(message.html);
  removeDuplicates(target, fragment);
  target[where](fragment);
}

// The one action table: every push goes through it; an unknown action is logged and skipped.
export const streamActions: Record<string, ActionHandler> = {
  append(message) {
    insertChildren(message, 'append');
  },
  prepend(message) {
    insertChildren(message, 'prepend');
  },
  before(message) {
    getTarget(message)?.before(parseFragment(message.html));
  },
  after(message) {
    getTarget(message)?.after(parseFragment(message.html));
  },
  // A row replaced or removed elsewhere may simply not be shown here (another page of a
  // table): a missing target is no news for these two.
  replace(message) {
    const element = document.getElementById(message.target);
    if (element) $(element).replaceWith(parseFragment(message.html) as Element[]);
  },
  update(message) {
    getTarget(message)?.empty().append(parseFragment(message.html));
  },
  remove(message) {
    document.getElementById(message.target)?.remove();
  },
  sample(message) {
    const chart = charts.get(message.target);
    if (chart) chart(message.data);
    else console.warn(`stream: no chart registered as "${message.target}"`);
  },
  notify(message) {
    const area = document.getElementById(message.target) ?? document.getElementById('notifications');
    if (!area) return;
    const notice = $('<div class="toast" role="status"></div>').append(parseFragment(message.html));
    $(area).append(notice);
    setTimeout(() => notice.remove(), notificationMs);
  },
};

// Applies one frame: an array of messages, in order. A bad message never stops the rest.
export function applyStreamMessages(messages: unknown): void {
  if (!Array.isArray(messages)) {
    console.warn('stream: a frame must be an array of messages', messages);
    return;
  }
  for (const message of messages as StreamMessage[]) {
    const handler =
      message && typeof message === 'object' && Object.hasOwn(streamActions, message.action)
        ? streamActions[message.action]
        : undefined;
    if (!handler) {
      console.warn('stream: unknown action, skipped', message);
      continue;
    }
    try {
      handler(message);
    } catch (error) {
      console.error(`stream: "${message.action}" on #${message.target} failed`, error);
    }
  }
}
