/**
 * The real app on port 0 with real mediasoup workers, its log lines kept in
 * memory so tests can read what the server (and the workers) said.
 * Set LOG_TESTS=1 to also see them on stderr.
 *
 * Records go to a database of the server's own (a fresh PostgreSQL schema, or
 * PGlite with TEST_DB=pglite, see testDb.ts), dropped on close(); pass
 * `{ db }` to share one the test made itself (the test then drops it).
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createApp, type App, type AppDeps } from '../../server/app';
import { parseConfig, type Config } from '../../server/config';
import { createLogger, routeMediasoupLogs } from '../../server/logger';
import type { RoomLinks } from '../../server/http/routes';
import type { Db } from '../../server/db/Db';
import { createTestDb } from './testDb';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface TestServer {
  app: App;
  config: Config;
  url: string;
  logs: LogLine[];
  /** The records database the server runs on. */
  db: Db;
  /** A fresh room with one link per role. */
  createRoom(title?: string, settings?: { waitingRoom?: boolean; recording?: boolean }): Promise<RoomLinks>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** A database the test owns (migrated or not); by default the server gets a fresh one of its own. */
  db?: Db;
  /** More of createApp's dependencies (e.g. which case a room belongs to, co-editing limits). */
  appDeps?: Omit<AppDeps, 'logger' | 'db'>;
}

export async function startTestServer(
  env: Record<string, string> = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const config = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    MEDIA_WORKERS: '1',
    DEMO_ROOM: 'false',
    DATA_KEY: randomBytes(32).toString('base64'),
    ...env,
  });
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        logs.push(JSON.parse(line) as LogLine);
        if (process.env.LOG_TESTS) process.stderr.write(`${line}\n`);
      }
      callback();
    },
  });
  const logger = createLogger(process.env.LOG_TESTS ? 'debug' : 'info', sink);
  routeMediasoupLogs(logger);
  const own = options.db ? undefined : await createTestDb();
  const db = options.db ?? own!.db;
  const app = await createApp(config, { logger, db, ...options.appDeps }).catch(async (error: unknown) => {
    await own?.drop();
    throw error;
  });
  return {
    app,
    config,
    url: app.url,
    logs,
    db,
    createRoom: (title = 'Test room', settings = {}) => app.createRoomWithLinks({ title, ...settings }),
    close: async () => {
      await app.close();
      await own?.drop();
    },
  };
}

/** The token at the end of a join link. */
export const tokenOf = (link: string): string => link.slice(link.lastIndexOf('/') + 1);
