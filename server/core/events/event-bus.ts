import { EventEmitter } from 'node:events';
import type { AuditEntry } from '../audit/audit-log.ts';

// Where an event comes from; the events monitor filters on it (event-filter.ts).
export const facilities = ['accounts', 'groups', 'volumes', 'watch', 'status', 'web', 'auth'] as const;
export type Facility = (typeof facilities)[number];

// Why a session ended: its timeouts, logout, or its account changed in the files.
export type SessionEndReason =
  | 'logout'
  | 'idle'
  | 'expired'
  | 'shutdown'
  // A local socket connection's session (server/web/local/) ends with its connection.
  | 'disconnected'
  | 'too-many-sessions'
  | 'account-removed'
  | 'account-locked'
  | 'account-expired'
  | 'password-changed';

// The events the core emits, by name, with their payloads.
export interface CoreEvents {
  'account-added': { login: string };
  'account-changed': { login: string; fields: string[] };
  'account-removed': { login: string };
  'group-added': { name: string };
  'group-changed': { name: string; fields: string[] };
  // For a helper group (rsp-G, gst-G) `roleIn` and `role` say what it is: those accounts
  // were given or lost that role in G.
  'group-members-changed': {
    name: string;
    added: string[];
    removed: string[];
    roleIn?: string;
    role?: 'guest' | 'responsible';
  };
  'group-removed': { name: string };
  // A repair of a share's tree (a permissive switch, a repair asked, one resumed at start):
  // entries seen and corrected so far, at most every 250 ms, then once `done` or `cancelled`.
  'group-share-progress': { name: string; scanned: number; fixed: number; done: boolean; cancelled: boolean };
  // `local`: a local socket connection's session (one per connection, not journaled).
  'session-opened': { sessionId: string; local?: true };
  'session-closed': { sessionId: string; reason: SessionEndReason; local?: true };
  // A session's rights changed with the account files (demoted or promoted).
  'session-changed': { sessionId: string; isAdmin: boolean };
  // Volumes (server/core/volumes): by kernel name; `volume-usage` at most once a second each.
  'volume-added': { name: string };
  'volume-changed': { name: string; fields: string[] };
  'volume-removed': { name: string };
  'volume-mounted': { name: string; mountPoint: string };
  'volume-unmounted': { name: string; mountPoint: string };
  'volume-usage': { name: string };
  'audit-recorded': AuditEntry;
  // A watcher saw files or devices change (Licorn's inotifier): the accounts' files by name
  // (`passwd`, `group`…, outside changes included), or the block devices by kernel name, or
  // `mounts`; what the change meant follows as its own events (account-changed, volume-added…).
  'watch-changed': { watcher: 'accounts' | 'volumes'; names: string[] };
  // The status monitor started or stopped sampling (someone began or stopped following it).
  'status-sampling': { running: boolean };
  // A homes phase interrupted by a crash, settled at start (accounts/homes-journal.ts).
  'homes-recovered': { outcome: 'finished' | 'rolled-back'; accounts: number; homes: number; message: string };
}

// One emitted event as a listener of everything sees it.
export interface CoreEvent<K extends keyof CoreEvents = keyof CoreEvents> {
  name: K;
  facility: Facility;
  time: number;
  data: CoreEvents[K];
}

type Listener<K extends keyof CoreEvents> = (event: CoreEvent<K>) => void;

// A typed event bus: every event has a facility; listeners subscribe by name or to all.
export class EventBus {
  readonly #emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    // Every open page's push topic listens here; the default limit of 10 would warn early.
    this.#emitter.setMaxListeners(0);
  }

  // Emits an event after the change it describes is durable.
  emit<K extends keyof CoreEvents>(name: K, facility: Facility, data: CoreEvents[K]): void {
    const event: CoreEvent<K> = { name, facility, time: Date.now(), data };
    this.#emitter.emit(name, event);
    this.#emitter.emit('*', event);
  }

  // Listens to one event name; returns the function that stops listening.
  on<K extends keyof CoreEvents>(name: K, listener: Listener<K>): () => void {
    this.#emitter.on(name, listener);
    return () => this.#emitter.off(name, listener);
  }

  // Listens to every event (the events monitor, the audit log).
  onAny(listener: (event: CoreEvent) => void): () => void {
    this.#emitter.on('*', listener);
    return () => this.#emitter.off('*', listener);
  }
}
