/**
 * The embedded default across a restart: with no TOKEN_SECRET and no
 * DATABASE_URL, the entry point signs links with a secret kept in DATA_DIR,
 * so a link handed out before a restart still opens its room after it (the
 * links and rooms are in the embedded database; the secret must outlive the
 * process too).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../helpers/eventually';
import { freePort } from '../helpers/freePort';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');
let dataDir: string;

interface EntryPoint {
  output(): string;
  stop(): Promise<void>;
}

/** `server/index.ts` as `npm start` runs it, on the embedded defaults, until it says it is running. */
async function startEntryPoint(port: number, demoRoom: boolean): Promise<EntryPoint> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      PORT: String(port),
      HOST: '127.0.0.1',
      MEDIA_WORKERS: '1',
      DEMO_ROOM: String(demoRoom),
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise((resolve) => child.once('close', resolve));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  const ready = demoRoom ? 'Create another room' : 'Gridroom is running at';
  await eventually(() => output.includes(ready) || child.exitCode !== null, { timeoutMs: 60_000, what: 'start' });
  if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
  return { output: () => output, stop };
}

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-restart-'));
});

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('a link printed before a restart opens its room after it; the secret is kept private in DATA_DIR', async () => {
  const port = await freePort();
  const first = await startEntryPoint(port, true);
  let link: string;
  try {
    link = /https?:\/\/\S+\/join\/[A-Za-z0-9._-]+/.exec(first.output())![0];
    expect((await fetch(link)).status).toBe(200);
  } finally {
    await first.stop();
  }
  const secretFile = path.join(dataDir, 'token-secret');
  expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);

  const second = await startEntryPoint(port, false);
  try {
    expect((await fetch(link)).status).toBe(200);
  } finally {
    await second.stop();
  }
});
