import pLimit from 'p-limit';
import type { AccountsService } from '../accounts/accounts-service.ts';
import { keepHomesListed, makeShareLink, removeShareLink, type LinkOwner } from './share-links.ts';

// How many members' links are made or removed at once: one after the other, each a few
// filesystem calls through the thread pool, 3,333 new members of an import took a second or
// more (and the import answers once they are done).
const linksAtOnce = 16;

// The members' `~/G` links of the shares, as Licorn made them: made for every member (any
// role) when they join, removed when they leave or the group goes, renamed with it. A name
// already taken in a home is left alone and said once.
export class ShareLinks {
  readonly #root: string;
  readonly #accounts: AccountsService;
  readonly #warn: (message: string) => void;
  readonly #said = new Set<string>();

  constructor(root: string, accounts: AccountsService, warn: (message: string) => void) {
    this.#root = root;
    this.#accounts = accounts;
    this.#warn = warn;
  }

  // Makes `~/<name>` for each of `logins` that has an account and a home of its own.
  async makeAll(name: string, logins: Iterable<string>): Promise<void> {
    const limit = pLimit(linksAtOnce);
    const owners = [...logins].flatMap((login) => this.#getOwner(login) ?? []);
    // A home missing from its parent's listing gets no link: not looked at one by one.
    const made = (await keepHomesListed(this.#root, owners)).map((owner) => limit(() => this.#make(name, owner)));
    await Promise.all(made);
  }

  async #make(name: string, owner: LinkOwner): Promise<void> {
    const { login } = owner;
    const outcome = await makeShareLink(this.#root, owner, name).catch((error: Error) => {
      this.#sayOnce(`${login}/${name}`, `shares: cannot link ~${login}/${name}: ${error.message}`);
      return null;
    });
    if (outcome === 'taken') {
      const message =
        `shares: ~${login}/${name} is already taken (not Licorn's link to the share): left alone, ` + `no link made`;
      this.#sayOnce(`${login}/${name}`, message);
    }
  }

  // Removes `~/<name>` (Licorn's link only) for each of `logins` still having an account.
  async removeAll(name: string, logins: Iterable<string>): Promise<void> {
    const limit = pLimit(linksAtOnce);
    const removed = [...logins].map((login) =>
      limit(async () => {
        const owner = this.#getOwner(login);
        if (!owner) return;
        await removeShareLink(this.#root, owner, name).catch((error: Error) => {
          this.#sayOnce(`${login}/${name}-`, `shares: cannot remove ~${login}/${name}: ${error.message}`);
        });
      }),
    );
    await Promise.all(removed);
  }

  #getOwner(login: string): LinkOwner | null {
    const account = this.#accounts.getAccountHome(login);
    return account ? { login, ...account } : null;
  }

  #sayOnce(key: string, message: string): void {
    if (this.#said.has(key)) return;
    this.#said.add(key);
    this.#warn(message);
  }
}
