import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { callApi, type ApiSession } from '../../helpers/test-app.ts';
import { useSocketTestApp, type TestSocket } from '../../helpers/ws-client.ts';

const server = useSocketTestApp();

async function follow(who: ApiSession, topics: string[]): Promise<TestSocket> {
  const socket = server.connect(who.cookie);
  await socket.opened();
  socket.send({ subscribe: topics });
  return socket;
}

interface Sample {
  name: string;
  running: boolean;
  done: boolean;
  cancelled: boolean;
  scanned: number;
}

describe('the group-share/<name> topic and the repair routes', () => {
  it("pushes a share's repair to admins from start to end; cancel when none runs is 404", async () => {
    const watcher = await follow(server.admin, ['group-share/developers']);
    const samples = () => watcher.messages.filter((m) => m.target === 'group-share').map((m) => m.data as Sample);
    await watcher.waitFor(() => samples().find((sample) => !sample.running), 'the snapshot: no repair');

    await writeFile(join(server.t.sandbox.root, 'home/groups/developers/notes.txt'), 'x');
    const started = await callApi(server.t.app, server.admin, 'POST', '/api/v1/groups/developers/share/repair', {});
    expect(started.statusCode).toBe(202);
    expect(started.json()).toMatchObject({ name: 'developers' });
    await watcher.waitFor(() => samples().find((sample) => sample.running), 'the repair running');
    const end = await watcher.waitFor(() => samples().find((sample) => sample.done), 'the repair done');
    expect(end).toMatchObject({ name: 'developers', running: false, cancelled: false });
    expect(end.scanned).toBeGreaterThan(0);

    const cancel = await callApi(server.t.app, server.admin, 'DELETE', '/api/v1/groups/developers/share/repair');
    expect(cancel.statusCode).toBe(404);
    expect(cancel.json()).toMatchObject({ field: 'name' });
    const none = await callApi(server.t.app, server.admin, 'POST', '/api/v1/groups/nothing-here/share/repair', {});
    expect(none.statusCode).toBe(404);
  });
});
