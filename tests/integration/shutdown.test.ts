/**
 * The real entry point as an operator runs it (a child process, TypeScript
 * loaded by tsx in the same process, so the signal reaches the server itself):
 * it says where it runs, stops cleanly on SIGTERM without leaving a media
 * worker behind, and refuses a bad environment with a message naming the
 * variable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JoinTokens } from '../../server/links/joinToken';
import { eventually } from '../helpers/eventually';
import { descendantsOf, isAlive } from '../helpers/processTree';
import { tokenOf } from '../helpers/testServer';
import { freePort } from '../helpers/freePort';

// A fresh embedded database is created for the server at start-up: allow for a loaded CI machine.
jest.setTimeout(90_000);

const ROOT = path.resolve(__dirname, '../..');
const TOKEN_SECRET = 'shutdown-test-token-secret-0123456789';
const ADMIN_TOKEN = 'shutdown-test-admin-token-0123456789';

interface ServerProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const dataDirs: string[] = [];
afterAll(() => {
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function startServerProcess(env: Record<string, string>): ServerProcess {
  // Its own embedded database, never the checkout's .data folder.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-shutdown-'));
  dataDirs.push(dataDir);
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: ROOT,
    // Only what we choose: no PORT or secret of the machine running the tests leaks in.
    env: {
      PATH: `${path.join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? '/tmp',
      DATA_DIR: dataDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves with the exit, or rejects after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('a running server', () => {
  let server: ServerProcess;
  let port: number;
  let url: string;
  let workerPids: number[] = [];

  beforeAll(async () => {
    port = await freePort();
    server = startServerProcess({
      PORT: String(port),
      HOST: '127.0.0.1',
      MEDIA_WORKERS: '1',
      DEMO_ROOM: 'true',
      LOG_LEVEL: 'warn',
      TOKEN_SECRET,
      ADMIN_TOKEN,
    });
    url = `http://localhost:${port}`;
    await eventually(() => server.stdout().includes('Create another room'), {
      timeoutMs: 60_000,
      what: `server start (stdout: ${server.stdout()} stderr: ${server.stderr()})`,
    });
  });

  afterAll(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await server.exited;
    for (const pid of workerPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  });

  test('prints the URL it runs at', () => {
    expect(server.stdout()).toContain(`Gridroom is running at ${url}`);
  });

  test('prints one demo room link per role, each a valid link to the same room with that role', async () => {
    const lines = server.stdout().split('\n');
    const links = Object.fromEntries(
      ['mediator', 'party', 'expert', 'observer'].map((role) => {
        const line = lines.find((l) => l.trim().startsWith(`${role} `));
        expect(line).toBeDefined();
        return [role, line!.trim().split(/\s+/)[1]!];
      }),
    );
    const tokens = new JoinTokens(TOKEN_SECRET);
    const claims = await Promise.all(Object.values(links).map((link) => tokens.verify(tokenOf(link))));
    expect(claims.map((c) => c.role)).toEqual(['mediator', 'party', 'expert', 'observer']);
    expect(new Set(claims.map((c) => c.roomId)).size).toBe(1);
    for (const link of Object.values(links)) expect(link.startsWith(`${url}/join/`)).toBe(true);
  });

  test('does not print configured secrets', () => {
    expect(server.stdout() + server.stderr()).not.toContain(TOKEN_SECRET);
    expect(server.stdout() + server.stderr()).not.toContain(ADMIN_TOKEN);
  });

  test('is ready: GET /readyz is 200', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(res.status).toBe(200);
  });

  test('runs its mediasoup worker as a descendant process', () => {
    workerPids = descendantsOf(server.child.pid!)
      .filter((p) => p.comm.startsWith('mediasoup-work'))
      .map((p) => p.pid);
    expect(workerPids).toHaveLength(1);
  });

  test('exits with code 0 within 10 s of SIGTERM', async () => {
    const started = Date.now();
    server.child.kill('SIGTERM');
    const exit = await within(server.exited, 10_000, 'exit after SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('leaves no media worker behind', async () => {
    expect(workerPids.length).toBeGreaterThan(0);
    await eventually(() => workerPids.every((pid) => !isAlive(pid)), { timeoutMs: 5000, what: 'workers gone' });
  });

  test('frees its port', async () => {
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });
});

describe('a bad environment', () => {
  let portOnly: ServerProcess;
  let several: ServerProcess;

  beforeAll(async () => {
    // Both at once: each is a whole node start.
    portOnly = startServerProcess({ PORT: 'abc', MEDIA_WORKERS: '1', DEMO_ROOM: 'false' });
    several = startServerProcess({ PORT: 'abc', LOG_LEVEL: 'loud', TOKEN_SECRET: 'short' });
    await within(Promise.all([portOnly.exited, several.exited]), 20_000, 'exit on bad config');
  });

  test('PORT=abc exits with code 2 and a readable message naming PORT, no stack trace', async () => {
    expect(await portOnly.exited).toEqual({ code: 2, signal: null });
    const stderr = portOnly.stderr();
    expect(stderr).toMatch(/invalid configuration/);
    expect(stderr).toMatch(/^\s+- PORT: /m);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(portOnly.stdout()).not.toContain('Gridroom is running');
  });

  test('every bad variable is named in one go, and a short secret is not echoed', async () => {
    expect((await several.exited).code).toBe(2);
    const stderr = several.stderr();
    expect(stderr).toMatch(/- PORT: /);
    expect(stderr).toMatch(/- LOG_LEVEL: /);
    expect(stderr).toMatch(/- TOKEN_SECRET: .*at least 32 characters/);
    expect(stderr).not.toMatch(/\bshort\b/);
  });
});
