import { describe, expect, it } from 'vitest';
import { useRealMachine, type RealMachine } from '../helpers/real-machine.ts';
import { sendRequest } from '../helpers/real-machine-client.ts';

// Issue 12, item 2: every refused login takes the same time, whatever the reason. pam_unix
// delayed a wrong password by 1.4–2.8 s of its own while the right password of an expired
// account was refused after the WMI's delay only: the time told the password was right.
// Now PAM's delay is skipped (PAM_FAIL_DELAY) and every refusal is padded to
// auth.fail_delay from the request's start. A bounded difference is what the issue asks:
// medians of 5 per reason, within 300 ms, on a loaded 2-core machine.
const failDelay = 0.6;
const real = useRealMachine({
  failDelay,
  config: 'auth.max_failures_per_account = 50\nauth.max_failures_per_address = 500',
});
const password = 'Rm-timing-pass-42';

// Times one login POST (the form's GET is not counted); its status.
async function timeLogin(
  machine: RealMachine,
  login: string,
  attempt: string,
): Promise<{ ms: number; status: number }> {
  const page = await sendRequest(machine, 'GET', '/login/');
  const cookie = String(page.headers['set-cookie'] ?? '').split(';')[0]!;
  const csrf = /<meta name="csrf-token" content="([^"]*)">/.exec(page.body)?.[1] ?? '';
  const started = performance.now();
  const response = await sendRequest(machine, 'POST', '/login/', {
    cookie,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ login, password: attempt, _csrf: csrf }).toString(),
  });
  return { ms: performance.now() - started, status: response.status };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('the time of a refused login on the real machine', () => {
  it('is the same for a wrong password, an unknown account, and the right password of a locked, expired or ' +
    'inactive account', async () => {
    const machine = real.machine;
    const setup = [
      ['useradd', '-M', '-s', '/bin/sh', 'rmtwrong'],
      ['useradd', '-M', '-s', '/bin/sh', 'rmtlocked'],
      ['useradd', '-M', '-s', '/bin/sh', 'rmtexpired'],
      ['useradd', '-M', '-s', '/bin/sh', 'rmtinactive'],
    ];
    for (const command of setup) expect((await machine.run(command)).code).toBe(0);
    const logins = ['rmtwrong', 'rmtlocked', 'rmtexpired', 'rmtinactive'];
    const input = logins.map((login) => `${login}:${password}\n`).join('');
    expect((await machine.run(['chpasswd'], { input })).code).toBe(0);
    expect((await machine.run(['usermod', '-L', 'rmtlocked'])).code).toBe(0);
    expect((await machine.run(['chage', '-E', '1', 'rmtexpired'])).code).toBe(0);
    // Past its maximum age (10 days) and its inactivity period (1 day) too.
    expect((await machine.run(['chage', '-d', '2000-01-01', '-M', '10', '-I', '1', 'rmtinactive'])).code).toBe(0);
    const reasons: Record<string, [string, string]> = {
      'wrong password': ['rmtwrong', 'Not-the-pass-42'],
      'unknown account': ['rmtnobody', password],
      locked: ['rmtlocked', password],
      'account expired': ['rmtexpired', password],
      'password inactive': ['rmtinactive', password],
    };
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(reasons).map((reason) => [reason, []]));
    // Interleaved, so that a slow moment of the machine falls on every reason alike.
    for (let round = 0; round < 5; round += 1) {
      for (const [reason, [login, attempt]] of Object.entries(reasons)) {
        const { ms, status } = await timeLogin(machine, login, attempt);
        expect(status, reason).toBe(401);
        times[reason]!.push(ms);
      }
    }
    const medians = Object.fromEntries(
      Object.entries(times).map(([reason, list]) => [reason, Math.round(median(list))]),
    );
    const values = Object.values(medians);
    const spread = Math.max(...values) - Math.min(...values);
    expect(spread, `medians (ms): ${JSON.stringify(medians)}`).toBeLessThanOrEqual(300);
    // Each refusal waited out the configured delay, not less.
    expect(Math.min(...values), `medians (ms): ${JSON.stringify(medians)}`).toBeGreaterThanOrEqual(
      failDelay * 1000 - 20,
    );
  }, 120_000);
});
