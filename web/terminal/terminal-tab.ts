// One terminal of the page: an xterm.js screen joined to its shell's socket, which comes back
// by itself when the connection drops (the shell kept running on the server, which redraws
// the screen), acknowledges what xterm has drawn (flow control), and follows the pane's size.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { SearchAddon } from '@xterm/addon-search';
import { ClipboardAddon, type IClipboardProvider } from '@xterm/addon-clipboard';
import { createControlFrame, createInputFrames, outputKinds } from './terminal-protocol.ts';
import { t } from '../i18n.ts';

// What the page knows of a terminal (GET/POST /api/v1/terminals).
export interface TerminalInfo {
  id: string;
  runsAs: string;
  description: string;
}

// An xterm opened in its pane, with the addon that sizes it.
export interface Screen {
  term: Terminal;
  fit: FitAddon;
}

export type TabState = 'connecting' | 'live' | 'reconnecting' | 'ended';

export interface TabOptions {
  pane: HTMLElement;
  osc52: boolean;
  onState(tab: TerminalTab, state: TabState, detail: string): void;
  // Whether the terminal still exists on the server (after a failed reconnect); null when
  // the server cannot be reached.
  exists(id: string): Promise<boolean | null>;
}

// Acknowledge drawn bytes in pieces of this size (the server resumes a paused shell under
// 64 KiB unacknowledged), or when output stops.
const acknowledgeEvery = 16 * 1024;
const decoder = new TextDecoder();

// Programs may write the clipboard (OSC 52) only when terminal.osc52 is on; never read it.
function getClipboardProvider(osc52: boolean): IClipboardProvider {
  return {
    readText: () => '',
    writeText: async (_selection, text) => {
      if (osc52) await navigator.clipboard.writeText(text);
    },
  };
}

// Why the server ended a terminal (the core's reason codes), in words; an unknown code as sent.
function describeEndReason(reason: string): string {
  if (reason === 'exited') return t('terminal.reason.exited');
  if (reason === 'rights-lost') return t('terminal.reason.rightsLost');
  if (reason === 'shutdown') return t('terminal.reason.shutdown');
  if (reason === 'kept-too-long') return t('terminal.reason.keptTooLong');
  return reason;
}

export class TerminalTab {
  readonly info: TerminalInfo;
  readonly term: Terminal;
  readonly search = new SearchAddon();
  readonly #fit: FitAddon;
  readonly #options: TabOptions;
  #socket: WebSocket | null = null;
  #state: TabState = 'connecting';
  #drawn = 0;
  #acknowledgeTimer = 0;
  #retryDelay = 250;
  // xterm's onData events so far (#cancelSentKeypresses).
  #dataEvents = 0;

  constructor(info: TerminalInfo, screen: Screen, options: TabOptions) {
    const { term } = screen;
    this.info = info;
    this.term = term;
    this.#fit = screen.fit;
    this.#options = options;
    term.loadAddon(this.search);
    term.loadAddon(new WebLinksAddon());
    term.loadAddon(new ClipboardAddon(undefined, getClipboardProvider(options.osc52)));
    term.onData((data) => {
      this.#dataEvents += 1;
      this.#send(createInputFrames(data));
    });
    this.#cancelSentKeypresses(term);
    term.onBinary((data) => this.#send(createInputFrames(data, true)));
    term.onResize(({ cols, rows }) => this.#send([createControlFrame('resize', cols, rows)]));
    term.attachCustomKeyEventHandler((event) => {
      if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey) return true;
      if (event.code === 'KeyC') {
        const selection = term.getSelection();
        if (selection) void navigator.clipboard.writeText(selection);
        return false;
      }
      // Ctrl+Shift+V: the browser's own paste, which xterm receives as a paste event.
      return event.code !== 'KeyV' && event.code !== 'KeyF';
    });
    new ResizeObserver(() => this.fit()).observe(options.pane);
  }

  // xterm sends a capital A–Z (Shift or Caps Lock: a workaround for macOS input methods) or a
  // space from its keypress handler and, unlike other keys, leaves that keypress to the
  // browser, which also types it into xterm's hidden textarea (growing until the next Enter).
  // That costs textInput, input and selectionchange events, a layout of the textarea and a
  // frame, and Chromium runs that frame before the socket message carrying the echo. A keypress
  // during which xterm sent data is cancelled once xterm has seen it (the listener on the pane
  // runs before xterm's, the one on the textarea after).
  #cancelSentKeypresses(term: Terminal): void {
    let before = 0;
    term.element?.addEventListener('keypress', () => (before = this.#dataEvents), { capture: true });
    term.textarea?.addEventListener('keypress', (event) => {
      if (this.#dataEvents > before && !term.options.screenReaderMode) event.preventDefault();
    });
  }

  // An xterm for `pane`, sized to it (the size the shell is opened with).
  static createScreen(pane: HTMLElement): Screen {
    // No blinking cursor: xterm draws it with an endless CSS animation, which keeps Chromium
    // making a frame at every vsync while the page is idle; and Chromium holds a page's
    // socket messages after a keystroke until the frame that follows it, which then waits for
    // the next vsync (up to 16.7 ms) instead of coming at once: the echo came that much later.
    const term = new Terminal({
      cursorBlink: false,
      scrollback: 10_000,
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
      allowProposedApi: true,
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(pane);
    fit.fit();
    return { term, fit };
  }

  get state(): TabState {
    return this.#state;
  }

  // Fits the screen to its pane (when shown).
  fit(): void {
    if (this.#options.pane.offsetParent !== null) this.#fit.fit();
  }

  // Connects (again) to the shell's socket.
  connect(): void {
    const socket = new WebSocket(`wss://${location.host}/terminal/ws/${this.info.id}`);
    socket.binaryType = 'arraybuffer';
    this.#socket = socket;
    socket.onopen = () => {
      this.#retryDelay = 250;
      this.#drawn = 0;
      this.#setState('live');
      this.#send([createControlFrame('resize', this.term.cols, this.term.rows)]);
    };
    socket.onmessage = (event) => this.#receive(new Uint8Array(event.data as ArrayBuffer));
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      void this.#handleClose(event.code, event.reason);
    };
  }

  // Drops the socket (the tab is closed; its shell is killed by the caller).
  dispose(): void {
    const socket = this.#socket;
    this.#socket = null;
    socket?.close();
    this.#setState('ended');
    this.term.dispose();
  }

  #receive(frame: Uint8Array): void {
    const body = frame.subarray(1);
    if (frame[0] === outputKinds.output) {
      this.term.write(body, () => this.#acknowledge(body.length));
    } else if (frame[0] === outputKinds.redraw) {
      this.term.reset();
      this.term.write(body);
    } else if (frame[0] === outputKinds.ended) {
      const { reason, exitCode } = JSON.parse(decoder.decode(body)) as { reason: string; exitCode: number | null };
      if (reason !== 'attached-elsewhere') {
        const said = describeEndReason(reason);
        const text =
          exitCode === null
            ? t('terminal.ended', { reason: said })
            : t('terminal.endedCode', { reason: said, code: exitCode });
        this.term.write(`\r\n\x1b[2m[${text}]\x1b[0m\r\n`);
      }
    }
  }

  // xterm drew `bytes` more: tell the server, in pieces, so a paused shell resumes.
  #acknowledge(bytes: number): void {
    this.#drawn += bytes;
    if (this.#drawn >= acknowledgeEvery) return this.#flushAcknowledged();
    if (!this.#acknowledgeTimer) this.#acknowledgeTimer = window.setTimeout(() => this.#flushAcknowledged(), 20);
  }

  #flushAcknowledged(): void {
    window.clearTimeout(this.#acknowledgeTimer);
    this.#acknowledgeTimer = 0;
    if (this.#drawn > 0) this.#send([createControlFrame('acknowledge', this.#drawn)]);
    this.#drawn = 0;
  }

  #send(frames: Uint8Array<ArrayBuffer>[]): void {
    const socket = this.#socket;
    if (socket?.readyState !== WebSocket.OPEN) return;
    for (const frame of frames) socket.send(frame);
  }

  async #handleClose(code: number, reason: string): Promise<void> {
    if (this.#state === 'ended') return;
    if (code === 4401) {
      location.assign(`/login/?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    if (code === 4000 || code === 4001 || code === 4403 || code === 1003 || code === 4429) {
      const detail = code === 4001 ? t('terminal.detail.elsewhere') : reason || t('terminal.state.ended');
      this.#setState('ended', detail);
      return;
    }
    this.#setState('reconnecting');
    await new Promise((resolve) => setTimeout(resolve, this.#retryDelay));
    this.#retryDelay = Math.min(this.#retryDelay * 2, 4000);
    // A refused upgrade looks like a dropped network to a page: ask whether it still exists.
    const exists = await this.#options.exists(this.info.id);
    if (exists === false) this.#setState('ended', t('terminal.detail.gone'));
    else if ((this.#state as TabState) !== 'ended') this.connect();
  }

  #setState(state: TabState, detail = ''): void {
    this.#state = state;
    this.#options.onState(this, state, detail);
  }
}
