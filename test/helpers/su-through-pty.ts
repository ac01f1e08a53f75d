import { spawn, type ChildProcess } from 'node:child_process';

// Drives `su` through a pty (util-linux `script`) as `nobody`, for whom pam_rootok does not
// apply: once su prompts, types the password, and reads until su ends (SIGKILL after 20 s).
// PAM prints the prompt, then turns echo off with TCSAFLUSH, which drops what was typed
// before: the password is typed again every 300 ms until su answers something else.
export function runSu(
  nsenter: string[],
  children: ChildProcess[],
  login: string,
  password: string,
): Promise<{ ok: boolean; prompted: boolean; output: string }> {
  const asNobody = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'];
  const command = [...nsenter, ...asNobody, 'script', '-qec', `su ${login} -c 'echo su-ok'`, '/dev/null'];
  const child = spawn(command[0]!, command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  child.stdin!.on('error', () => {});
  let output = '';
  let typing: NodeJS.Timeout | undefined;
  const answered = () => {
    const after = output.slice(output.indexOf('Password:') + 'Password:'.length);
    return after.split(password).join('').trim() !== '';
  };
  const type = () => {
    if (answered()) return;
    child.stdin!.write(`${password}\n`);
    typing = setTimeout(type, 300);
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    const prompted = output.includes('Password:');
    output += chunk.toString().replace(/\r/g, '');
    if (!prompted && output.includes('Password:')) type();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(killer);
      clearTimeout(typing);
      resolve({ ok: code === 0 && /^su-ok$/m.test(output), prompted: output.includes('Password:'), output });
    });
  });
}
