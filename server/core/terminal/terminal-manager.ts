import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Authenticator } from '../auth/authenticator.ts';
import { CoreError } from '../errors.ts';
import { getShellCommand } from './shell-command.ts';
import type { Terminal } from './terminal.ts';
import { terminalSize } from './terminal-limits.ts';
import { sayTerminalRefusal, type TerminalAllow } from './terminal-policy.ts';
import { loadTerminalModule } from './load-terminal-module.ts';
import { type CoreMessage, quoted, renderMessage, say } from '../messages.ts';
import type { Locale } from '../../../common/i18n/locales.ts';

export interface TerminalManagerOptions {
  allow: TerminalAllow;
  maxPerAccount: number;
  maxTotal: number;
  keepMs: number;
  scrollbackBytes: number;
  isRealMachine: boolean;
  auth: Authenticator;
  audit: AuditLog;
}

// Who opens a terminal: the account, its web session (public id) and address.
export interface TerminalOwner {
  login: string;
  sessionId: string;
  address: string;
}

// What the page and the API show of a terminal, its description in the reader's language.
export interface TerminalInfo {
  id: string;
  runsAs: string;
  description: string;
  createdAt: number;
  attached: boolean;
}

// The terminals of every session: opened (rights read from the files now, limits per account),
// found by id for their owner's session only, killed when their session ends or their
// account's rights go; each open and close is audited (never the keystrokes).
export class TerminalManager {
  readonly #options: TerminalManagerOptions;
  readonly #terminals = new Map<string, Terminal>();
  // Opens in flight per account, counted against the limit before the shell exists.
  readonly #opening = new Map<string, number>();

  constructor(options: TerminalManagerOptions) {
    this.#options = options;
  }

  // Why `login` may not hold a terminal now, or null.
  getRefusal(login: string): CoreMessage | null {
    return sayTerminalRefusal(this.#options.allow, login, this.#options.auth.getAccess(login));
  }

  // Opens a terminal for `owner` at cols × rows; throws CoreError when not allowed or past
  // terminal.max_per_account or terminal.max_total (then nothing is started).
  async open(owner: TerminalOwner, cols: number, rows: number): Promise<Terminal> {
    const refusal = this.getRefusal(owner.login);
    if (refusal) {
      await this.#audit(owner, '-', 'refused', renderMessage(refusal, 'en'));
      throw new CoreError('permission-denied', refusal, { field: 'terminal' });
    }
    const { minCols, maxCols, minRows, maxRows } = terminalSize;
    if (!Number.isInteger(cols) || cols < minCols || cols > maxCols) {
      throw new CoreError('invalid-argument', say('terminals.cols', { cols, min: minCols, max: maxCols }), {
        field: 'cols',
      });
    }
    if (!Number.isInteger(rows) || rows < minRows || rows > maxRows) {
      throw new CoreError('invalid-argument', say('terminals.rows', { rows, min: minRows, max: maxRows }), {
        field: 'rows',
      });
    }
    const held = this.listForAccount(owner.login).length + (this.#opening.get(owner.login) ?? 0);
    if (held >= this.#options.maxPerAccount) {
      const max = this.#options.maxPerAccount;
      const message = say('terminals.perAccount', { login: quoted(owner.login), held, max });
      throw new CoreError('conflict', message, { field: 'terminal' });
    }
    const total = this.#terminals.size + [...this.#opening.values()].reduce((sum, count) => sum + count, 0);
    if (total >= this.#options.maxTotal) {
      const message = say('terminals.total', { total, max: this.#options.maxTotal });
      throw new CoreError('conflict', message, { field: 'terminal' });
    }
    this.#opening.set(owner.login, (this.#opening.get(owner.login) ?? 0) + 1);
    try {
      const account = this.#options.auth.getAccount(owner.login);
      const command = await getShellCommand({
        login: owner.login,
        isRealMachine: this.#options.isRealMachine,
        shell: account?.shell ?? '',
        uid: account?.uid ?? 0,
      });
      // Loaded with the first terminal, not at start: xterm's headless emulator, its serializer
      // and node-pty are a tenth of the daemon's code, and most starts open no terminal.
      const { Terminal } = await loadTerminalModule(() => import('./terminal.ts'));
      const terminal = new Terminal(command, {
        id: randomBytes(16).toString('base64url'),
        login: owner.login,
        sessionId: owner.sessionId,
        cols,
        rows,
        scrollbackBytes: this.#options.scrollbackBytes,
        keepMs: this.#options.keepMs,
        onEnd: (ended, reason, exitCode) => {
          this.#terminals.delete(ended.id);
          const detail = `${reason}${exitCode === null ? '' : `, exit code ${exitCode}`}; pid ${ended.pid}`;
          void this.#audit(owner, ended.runsAs, 'done', detail, 'terminal-closed');
        },
      });
      this.#terminals.set(terminal.id, terminal);
      const description = renderMessage(terminal.description, 'en');
      await this.#audit(owner, terminal.runsAs, 'done', `pid ${terminal.pid}: ${description}`);
      return terminal;
    } finally {
      const left = (this.#opening.get(owner.login) ?? 1) - 1;
      if (left > 0) this.#opening.set(owner.login, left);
      else this.#opening.delete(owner.login);
    }
  }

  // A terminal by id, only for the session that opened it.
  get(id: string, sessionId: string): Terminal | null {
    const terminal = this.#terminals.get(id);
    return terminal && terminal.sessionId === sessionId ? terminal : null;
  }

  // A session's terminals, oldest first, described in `locale`.
  listForSession(sessionId: string, locale: Locale): TerminalInfo[] {
    const own = [...this.#terminals.values()].filter((terminal) => terminal.sessionId === sessionId);
    return own.map((terminal) => getTerminalInfo(terminal, locale));
  }

  // An account's terminals, all its sessions together.
  listForAccount(login: string): Terminal[] {
    return [...this.#terminals.values()].filter((terminal) => terminal.login === login);
  }

  // Kills a session's terminals (logout, timeout, the session ended for any reason).
  async killSession(sessionId: string, reason: string): Promise<void> {
    const own = [...this.#terminals.values()].filter((terminal) => terminal.sessionId === sessionId);
    await Promise.all(own.map((terminal) => terminal.kill(reason)));
  }

  // Kills the terminals whose account may no longer hold one (demoted, shell set to nologin,
  // locked, deleted): run on every account event.
  async checkAll(): Promise<void> {
    const doomed = [...this.#terminals.values()].filter((terminal) => this.getRefusal(terminal.login) !== null);
    await Promise.all(doomed.map((terminal) => terminal.kill('rights-lost')));
  }

  // Kills every terminal (the daemon stops).
  async close(): Promise<void> {
    await Promise.all([...this.#terminals.values()].map((terminal) => terminal.kill('shutdown')));
  }

  #audit(
    owner: TerminalOwner,
    runsAs: string,
    outcome: 'done' | 'refused',
    detail: string,
    action = 'terminal-opened',
  ) {
    const target = runsAs === '-' ? owner.login : `${owner.login} as ${runsAs}`;
    return this.#options.audit.record({ login: owner.login, address: owner.address, action, target, outcome, detail });
  }
}

// What the page and the API show of `terminal`, described in `locale`.
export function getTerminalInfo(terminal: Terminal, locale: Locale): TerminalInfo {
  const { id, runsAs, description, createdAt, isAttached: attached } = terminal;
  return { id, runsAs, description: renderMessage(description, locale), createdAt, attached };
}
