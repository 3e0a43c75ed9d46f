/**
 * Real Redis for tests: the machine's (127.0.0.1:6379, or TEST_REDIS_URL)
 * with a random key prefix per test file, deleted afterwards; or a
 * redis-server of the test's own, on a free port without persistence, for
 * tests that stop and restart it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { eventually } from './eventually';
import { freePort } from './freePort';

export const testRedisUrl = (): string => process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix no other test file uses, e.g. `test:3f9a1c2b7d40:`. */
export const testPrefix = (): string => `test:${randomBytes(6).toString('hex')}:`;

/** A connected client that retries quickly, so a restarted server is found again within ~100 ms. */
export async function connectRedis(url = testRedisUrl()): Promise<RedisClientType> {
  const client: RedisClientType = createClient({
    url,
    socket: { reconnectStrategy: (retries) => Math.min(20 * (retries + 1), 200), connectTimeout: 2000 },
  });
  // A dropped connection is expected in the restart tests; node-redis reconnects on its own.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Deletes every key under `prefix` (SCAN, never KEYS on a shared server). */
export async function deleteKeys(client: RedisClientType, prefix: string): Promise<void> {
  for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) {
    if (keys.length) await client.del(keys);
  }
}

/** A redis-server of the test's own: no RDB, no AOF, so a restart starts empty, as a crash would. */
export class OwnRedisServer {
  #child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<OwnRedisServer> {
    const server = new OwnRedisServer(await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again, on the same port) and waits until it answers PING. */
  async restart(): Promise<void> {
    await this.stop();
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
      { stdio: 'ignore' },
    );
    this.#child = child;
    await eventually(
      async () => {
        const probe = createClient({ url: this.url, socket: { reconnectStrategy: false } });
        probe.on('error', () => undefined);
        try {
          await probe.connect();
          return (await probe.ping()) === 'PONG';
        } finally {
          if (probe.isOpen) probe.destroy();
        }
      },
      { timeoutMs: 5000, intervalMs: 50, what: `redis-server on ${this.port}` },
    );
  }

  /** Kills the server (SIGKILL: nothing is saved, as in a crash) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}
