import { RefusedError } from '../cli-errors.ts';
import { getRefusal, type ApiClient, type Authenticate } from './api-client.ts';
import { promptLine, promptSecret } from './read-secret.ts';

// How `licorn --url https://host:3356` proves who it is: the token in LICORN_TOKEN (made on
// "My account"), else a login and password asked on the terminal (the password without echo)
// and sent once to POST /api/v1/session, whose session cookie and CSRF token go with every
// request after it. Nothing is stored on disk.
export function createRemoteAuth(environment: NodeJS.ProcessEnv = process.env): Authenticate {
  const token = environment.LICORN_TOKEN;
  if (token) return async () => ({ authorization: `Bearer ${token}` });
  return async (client: ApiClient) => {
    const login = (await promptLine(`Login on ${client.where}: `)).trim();
    const password = await promptSecret('Password: ');
    const answer = await client.sendRaw('POST', '/api/v1/session', { login, password });
    if (answer.status >= 400) throw getRefusal(answer.status, answer.body.toString('utf8'));
    const cookies = [answer.headers['set-cookie'] ?? []].flat().map((line) => line.split(';')[0]!);
    const { csrfToken } = JSON.parse(answer.body.toString('utf8')) as { csrfToken?: string };
    if (cookies.length === 0 || !csrfToken)
      throw new RefusedError(`The daemon at ${client.where} answered the login without a session`, { field: 'login' });
    return { cookie: cookies.join('; '), 'x-csrf-token': csrfToken };
  };
}
