import { Agent, request } from 'node:https';

// A tiny HTTPS client for tests that talk to a real licornd (self-signed certificate, so
// checks are off for it only): keeps connections alive and a cookie jar per client.
export class HttpsClient {
  readonly #base: string;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
  readonly #cookies = new Map<string, string>();

  constructor(base: string) {
    this.#base = base;
  }

  // The Cookie header this client sends.
  get cookie(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  // Sends one request and reads the whole answer.
  fetch(
    path: string,
    options: { method?: string; body?: string; type?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { cookie: this.cookie, accept: 'text/html', ...options.headers };
      if (options.body !== undefined) headers['content-type'] = options.type ?? 'application/x-www-form-urlencoded';
      const method = options.method ?? 'GET';
      const sent = request(`${this.#base}${path}`, { method, agent: this.#agent, headers }, (response) => {
        for (const line of response.headers['set-cookie'] ?? []) {
          const [pair] = line.split(';');
          const [name, value] = pair!.split('=') as [string, string];
          if (value === '' || /max-age=0/i.test(line)) this.#cookies.delete(name);
          else this.#cookies.set(name, value);
        }
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        response.on('error', reject);
      });
      sent.on('error', reject);
      sent.end(options.body);
    });
  }

  // Logs in through the form as a browser would; throws unless it lands logged in.
  async logIn(login: string, password: string): Promise<void> {
    const page = await this.fetch('/login/');
    const csrf = /<meta name="csrf-token" content="([^"]*)">/.exec(page.body)?.[1] ?? '';
    const body = new URLSearchParams({ login, password, _csrf: csrf }).toString();
    const answer = await this.fetch('/login/', { method: 'POST', body });
    if (answer.status !== 303 && answer.status !== 302) {
      throw new Error(`login as ${login}: ${answer.status} ${answer.body.slice(0, 200)}`);
    }
  }

  close(): void {
    this.#agent.destroy();
  }
}
