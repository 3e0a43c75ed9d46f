/**
 * The real app on port 0 with real mediasoup workers, its log lines kept in
 * memory so tests can read what the server (and the workers) said.
 * Set LOG_TESTS=1 to also see them on stderr.
 */
import { Writable } from 'node:stream';
import { createApp, type App } from '../../server/app';
import { parseConfig, type Config } from '../../server/config';
import { createLogger, routeMediasoupLogs } from '../../server/logger';
import type { RoomLinks } from '../../server/http/routes';

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
  /** A fresh room with one link per role. */
  createRoom(title?: string, settings?: { waitingRoom?: boolean; recording?: boolean }): Promise<RoomLinks>;
  close(): Promise<void>;
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const config = parseConfig({ PORT: '0', HOST: '127.0.0.1', MEDIA_WORKERS: '1', DEMO_ROOM: 'false', ...env });
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
  const app = await createApp(config, { logger });
  return {
    app,
    config,
    url: app.url,
    logs,
    createRoom: (title = 'Test room', settings = {}) => app.createRoomWithLinks({ title, ...settings }),
    close: () => app.close(),
  };
}

/** The token at the end of a join link. */
export const tokenOf = (link: string): string => link.slice(link.lastIndexOf('/') + 1);
