/**
 * The embedded default across a restart: with no TOKEN_SECRET and no
 * DATABASE_URL, the entry point signs links with a secret kept in DATA_DIR,
 * so a link handed out before a restart still opens its room after it (the
 * links and rooms are in the embedded database; the secret must outlive the
 * process too).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/freePort';
import { startServerProcess } from '../helpers/serverProcess';

jest.setTimeout(120_000);

let dataDir: string;

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-restart-'));
});

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

test('a link printed before a restart opens its room after it; the secret is kept private in DATA_DIR', async () => {
  const env = { PORT: String(await freePort()), DATA_DIR: dataDir };
  const first = await startServerProcess({ ...env, DEMO_ROOM: 'true' }, { ready: 'Create another room' });
  let link: string;
  try {
    link = /https?:\/\/\S+\/join\/[A-Za-z0-9._-]+/.exec(first.output())![0];
    expect((await fetch(link)).status).toBe(200);
  } finally {
    await first.stop();
  }
  const secretFile = path.join(dataDir, 'token-secret');
  expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);

  const second = await startServerProcess(env);
  try {
    expect((await fetch(link)).status).toBe(200);
  } finally {
    await second.stop();
  }
});
