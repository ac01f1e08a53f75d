import { readdir, readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { realAdmin, useRealMachine } from '../helpers/real-machine.ts';
import { callApi, logIn, submitForm } from '../helpers/real-machine-client.ts';
import { TerminalClient } from '../helpers/terminal-client.ts';

// Issue 14 on the real machine: a terminal is a login shell of the logged-in account itself
// (runuser -l through PAM's session): its uid, groups, home, shell and a clean environment;
// logging out kills it.
const real = useRealMachine();
const clients: TerminalClient[] = [];
afterAll(() => clients.forEach((client) => client.close()));

describe('a terminal on the real machine', () => {
  it("runs as the account, with its groups and home, and dies at the account's logout", async () => {
    const { session } = await logIn(real.machine, realAdmin.login, realAdmin.password);
    const opened = await callApi(real.machine, session!, 'POST', '/api/v1/terminals', { cols: 100, rows: 30 });
    expect(opened.status).toBe(201);
    expect(opened.json).toMatchObject({ runsAs: realAdmin.login, description: `a login shell of ${realAdmin.login}` });
    const url = new URL(real.machine.url);
    const client = new TerminalClient(`wss://${url.host}/terminal/ws/${opened.json.id}`, {
      cookie: session!.cookie,
      origin: url.origin,
    });
    clients.push(client);
    await client.opened();
    // A process that left the session (setsid) ends with the terminal too (its pid namespace).
    const marker = String(7000 + Math.floor(Math.random() * 999));
    client.type(
      `setsid sleep ${marker} & echo "user=$(id -un) groups=$(id -Gn) home=$HOME pwd=$(pwd) leaked=$(env | ` +
        `grep -c LICORN) pid=$$"\r`,
    );
    await client.waitFor(() => /user=\S+ groups=.* pid=\d+/.test(client.output), 'the answer', 20_000);
    const line = /user=(\S+) groups=(.*) home=(\S+) pwd=(\S+) leaked=(\d+) pid=(\d+)/.exec(client.output)!;
    expect(line[1]).toBe(realAdmin.login);
    expect(line[2]!.split(' ')).toContain('admins');
    expect(line[3]).toBe(`/home/${realAdmin.login}`);
    expect(line[4]).toBe(`/home/${realAdmin.login}`);
    expect(line[5]).toBe('0');
    // Its shell and the setsid sleep, seen from the host by their command lines.
    const shellPid = line[6]!;
    const find = async () => {
      let found = 0;
      for (const entry of await readdir('/proc')) {
        const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
        if (cmdline === `sleep\0${marker}\0`) found += 1;
      }
      return found;
    };
    expect(shellPid).toMatch(/^\d+$/);
    const start = Date.now() + 10_000;
    while ((await find()) === 0 && Date.now() < start) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await find()).toBe(1);
    const out = await submitForm(real.machine, session!.cookie, '/me/', '/logout/', {});
    expect(out.status).toBe(303);
    const deadline = Date.now() + 10_000;
    while ((await find()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await find()).toBe(0);
  });
});
