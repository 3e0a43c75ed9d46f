/**
 * The server as `npm start` runs it, in a process of its own (`server/index.ts`
 * under tsx), for tests that restart it, kill it, or run several nodes: real
 * processes that a SIGKILL really ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { eventually } from './eventually';

const ROOT = path.resolve(__dirname, '../..');

export interface ServerProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM (or the given signal) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts the entry point with `env` (and nothing else of this process's environment but PATH and HOME). */
export async function startServerProcess(
  env: Record<string, string>,
  { ready = 'Gridroom is running at', timeoutMs = 60_000 }: { ready?: string; timeoutMs?: number } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: ROOT,
    env: {
      PATH: `${path.join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? '/tmp',
      HOST: '127.0.0.1',
      MEDIA_WORKERS: '1',
      DEMO_ROOM: 'false',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  try {
    await eventually(() => output.includes(ready) || child.exitCode !== null, { timeoutMs, what: 'server start' });
  } catch (error) {
    await stop('SIGKILL');
    throw error;
  }
  if (child.exitCode !== null) throw new Error(`server exited: ${output}`);
  return { child, output: () => output, stop };
}
