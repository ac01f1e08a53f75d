import fp from 'fastify-plugin';
import { AccountList } from '../accounts/account-list.ts';

// The accounts table's cached, sortable list (`app.accountList`), shared by the page and
// its push topic.
export default fp(
  async (app) => {
    const list = new AccountList(app.core.accounts, app.core.events);
    app.decorate('accountList', list);
    app.addHook('onClose', async () => list.close());
  },
  { name: 'licorn-account-list', dependencies: ['licorn-core'] },
);
