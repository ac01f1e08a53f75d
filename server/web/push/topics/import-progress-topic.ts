import type { PushTopic } from '../stream-message.ts';

// `import/<id>`: the progress of one CSV import, for the admin's page that started it (it
// chose the random id and subscribed before sending the import). The import route
// publishes to it; there is nothing to re-sync.
export function createImportProgressTopic(): PushTopic & { close(): void } {
  return {
    name: 'import/',
    canSubscribe: (viewer) => viewer.isAdmin,
    getSnapshot: async () => [],
    close: () => {},
  };
}
