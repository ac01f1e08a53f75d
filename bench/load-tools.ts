import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import autocannon from 'autocannon';

const run = promisify(execFile);

// The seed's httperf command against /login/, verbatim (`--rate 1000 --timeout 5`: 1,000 new
// TLS connections a second for a second, as a capacity test); returns connections per second.
export async function runHttperf(port: number): Promise<number> {
  return parseHttperf(await runHttperfAt(port, 1000, 1000));
}

// httperf offering `rate` new TLS connections a second, `count` in all, each with one GET of
// /login/ (the seed's other options); returns its report.
async function runHttperfAt(port: number, rate: number, count: number): Promise<string> {
  const { stdout } = await run(
    'httperf',
    [
      ...['--server', 'localhost', '--port', String(port), '--uri=/login/', '--max-connections=50'],
      ...['--max-piped-calls=10', '--send-buffer=4096', '--recv-buffer=16384', '--ssl'],
      ...[`--num-conns=${count}`, '--num-calls=1', '--rate', String(rate), '--timeout', '5'],
    ],
    { timeout: 300_000 },
  );
  return stdout;
}

// One rate of a sweep for a server's capacity: offered for 3 seconds, it is kept when at least
// 95 % of it is reached without an error. Returns the rate reached (0 where httperf gave up).
export async function offerHttperfRate(port: number, rate: number): Promise<{ reached: number; kept: boolean }> {
  // Past a server's capacity httperf may give up (exit 255, "failed to connect to SSL
  // server": the listen queue overflowed); the rate is then not kept.
  const report = await runHttperfAt(port, rate, rate * 3).catch((error: { stderr?: string }) => {
    process.stderr.write(`httperf at ${rate} conn/s gave up: ${error.stderr?.trim().split('\n').at(-1)}\n`);
    return '';
  });
  const reached = Number(/Connection rate: ([\d.]+) conn\/s/.exec(report)?.[1] ?? 0);
  const errors = Number(/Errors: total (\d+)/.exec(report)?.[1] ?? 0);
  return { reached, kept: errors === 0 && reached >= rate * 0.95 };
}

// Reads "Connection rate: 123.4 conn/s" from httperf's report.
export function parseHttperf(report: string): number {
  const match = /Connection rate: ([\d.]+) conn\/s/.exec(report);
  if (!match) throw new Error(`httperf printed no connection rate:\n${report}`);
  const errors = /Errors: total (\d+)/.exec(report);
  if (errors && Number(errors[1]) > 0) process.stderr.write(`httperf reported ${errors[1]} errors\n`);
  return Number(match[1]);
}

// The seed's ab command against /login/ (new TLS connection per request); requests/s.
export async function runAb(port: number): Promise<number> {
  const { stdout } = await run('ab', ['-n', '1000', '-c', '50', '-r', `https://localhost:${port}/login/`], {
    timeout: 300_000,
  });
  const match = /Requests per second:\s+([\d.]+)/.exec(stdout);
  if (!match) throw new Error(`ab printed no rate:\n${stdout}`);
  const failed = /Failed requests:\s+(\d+)/.exec(stdout);
  if (failed && Number(failed[1]) > 0)
    process.stderr.write(`ab reported ${failed[1]} failed requests (length variations count too)\n`);
  return Number(match[1]);
}

// autocannon with 50 keep-alive connections on /login/ for `seconds`: its mean requests/s and
// the number of requests answered (CPU per request).
export async function runAutocannonCounted(port: number, seconds = 10): Promise<{ rate: number; requests: number }> {
  const result = await autocannon({ url: `https://127.0.0.1:${port}/login/`, connections: 50, duration: seconds });
  if (result.non2xx > 0 || result.errors > 0)
    process.stderr.write(`autocannon: ${result.non2xx} non-2xx, ${result.errors} errors\n`);
  return { rate: result.requests.average, requests: result.requests.total };
}
