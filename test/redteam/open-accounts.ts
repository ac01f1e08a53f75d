// Red team helper: `prepare <dir>` makes a demo root in <dir>/root with the append journal
// made (one first transaction); `open <root>` opens the accounts (recovering a journal) and
// closes them.
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { AccountsService } from '../../server/core/accounts/accounts-service.ts';
import { EventBus } from '../../server/core/events/event-bus.ts';
import { createSandbox } from '../helpers/sandbox.ts';

const [command, path] = [process.argv[2], process.argv[3]!];
if (command === 'prepare') {
  const sandbox = await createSandbox();
  const service = await AccountsService.open({ root: sandbox.root, events: new EventBus() });
  await service.setLocked('hpetit', false);
  await service.close();
  await cp(sandbox.root, join(path, 'root'), { recursive: true });
  await sandbox.remove();
} else {
  const service = await AccountsService.open({ root: path, events: new EventBus() });
  await service.close();
}
