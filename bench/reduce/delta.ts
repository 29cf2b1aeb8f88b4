/**
 * Third-party reducers, run only when installed (Debian: `delta`, whose binary is `singledelta`; `cvise`). Their
 * interestingness test is a shell script that asks the bench, over a loopback socket, whether the candidate file is
 * refused, so every test goes through the same counting oracle as everything else.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function which(...bins: string[]): string | undefined {
  for (const bin of bins) {
    try {
      const path = execFileSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).trim();
      if (path) return path;
    } catch {
      /* not installed */
    }
  }
  return undefined;
}

export interface ExternalRun {
  result: Buffer;
  capped?: string;
}

/**
 * Run `tool` on `input` with `ask(candidate bytes) -> refused`. Stops the tool after `maxTests` tests or `timeoutMs`
 * (then the smallest interesting file seen so far is the result) and says so.
 */
export async function runExternal(
  tool: 'delta' | 'cvise',
  binary: string,
  input: Buffer,
  fileName: string,
  ask: (candidate: Buffer) => Promise<boolean>,
  maxTests: number,
  timeoutMs: number,
): Promise<ExternalRun> {
  const dir = mkdtempSync(join(tmpdir(), `aup-bench-${tool}-`));
  let tests = 0;
  let best = input;
  let capped: string | undefined;
  const server = createServer((socket) => {
    let path = '';
    socket.on('data', async (chunk) => {
      path += chunk.toString();
      if (!path.endsWith('\n')) return;
      let refused = false;
      // The tool may remove a candidate's folder while its test is still asking (delta, when a run is cut short): that
      // test's answer no longer matters, so it is answered "not interesting" and not counted.
      let candidate: Buffer | undefined;
      try {
        candidate = readFileSync(path.trim());
      } catch {
        candidate = undefined;
      }
      if (candidate && tests < maxTests) {
        tests++;
        refused = await ask(candidate);
        if (refused && candidate.length < best.length) best = candidate;
      }
      socket.end(refused ? '0\n' : '1\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const script = join(dir, 'interesting.sh');
  // bash's /dev/tcp keeps a test to a few milliseconds (no interpreter start-up per candidate).
  writeFileSync(script, `#!/bin/bash\nf="\${1:-${fileName}}"\nexec 3<>/dev/tcp/127.0.0.1/${port}\necho "$(realpath "$f")" >&3\nread -r answer <&3\nexit "$answer"\n`, { mode: 0o755 });
  const file = join(dir, fileName);
  writeFileSync(file, input);
  const args = tool === 'delta' ? [`-test=${script}`, '-quiet', `-cp_minimal=${join(dir, 'minimal')}`] : ['--not-c', '--n', '1', '--timeout', '30', script, fileName];
  // cvise refuses a test case given with a folder in its path: it is named relative to the working folder.
  // --not-c: our inputs are prose and PDFs, so cvise's C/C++ passes (clang_delta) would only burn its time.
  const child = spawn(binary, args, { cwd: dir, stdio: tool === 'delta' ? ['pipe', 'ignore', 'ignore'] : ['ignore', 'ignore', 'ignore'] });
  if (tool === 'delta') child.stdin!.end(input);
  const timer = setTimeout(() => {
    capped = `stopped after ${timeoutMs / 1000} s`;
    child.kill('SIGTERM');
  }, timeoutMs);
  await new Promise<void>((resolve) => child.on('exit', () => resolve()));
  clearTimeout(timer);
  server.close();
  if (tests >= maxTests) capped = `capped at ${maxTests} tests`;
  let result = best;
  try {
    const out = tool === 'delta' ? readFileSync(join(dir, 'minimal')) : readFileSync(file);
    if (!capped && out.length <= best.length) result = out;
  } catch {
    /* no minimal written (stopped): the smallest interesting file seen stands */
  }
  rmSync(dir, { recursive: true, force: true });
  return { result, capped };
}
