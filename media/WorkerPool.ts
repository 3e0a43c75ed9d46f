/**
 * One mediasoup worker per core, each with a WebRtcServer so that all WebRTC
 * media of a worker shares one UDP and one TCP port (easy to open in a
 * government firewall). A worker that dies is replaced; whoever placed rooms
 * on it hears `workerDied` and moves them.
 */
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import type { MediaLogger } from './logger';
import { SafeEmitter } from './SafeEmitter';

export interface WorkerPoolOptions {
  numWorkers: number;
  /** IP the WebRtcServers listen on. */
  listenIp: string;
  /** Address given to browsers in ICE candidates (needed when listenIp is 0.0.0.0 or behind NAT). */
  announcedAddress?: string;
  /** Port range the WebRtcServers (and PlainTransports) pick their ports from. */
  rtcMinPort: number;
  rtcMaxPort: number;
  logLevel: ms.WorkerLogLevel;
  logTags: ms.WorkerLogTag[];
  /** Path of the worker binary; mediasoup's own default when absent. */
  workerBin?: string;
  logger: MediaLogger;
}

/** A worker as the pool hands it out: the worker, its WebRtcServer and its slot. */
export interface PooledWorker {
  readonly index: number;
  readonly worker: ms.Worker;
  readonly webRtcServer: ms.WebRtcServer;
  /** The IP the worker listens on, for PlainTransports. */
  readonly listenIp: string;
}

interface WorkerPoolEvents {
  /** A worker died; `replacement` already serves its slot (null if it could not be started). */
  workerDied: [dead: PooledWorker, replacement: PooledWorker | null];
}

export class WorkerPool extends SafeEmitter<WorkerPoolEvents> {
  readonly #options: WorkerPoolOptions;
  readonly #slots: (PooledWorker | null)[];
  #next = 0;
  #closed = false;

  private constructor(options: WorkerPoolOptions) {
    super();
    this.#options = options;
    this.#slots = new Array<PooledWorker | null>(options.numWorkers).fill(null);
  }

  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      await Promise.all(pool.#slots.map(async (_, index) => (pool.#slots[index] = await pool.#startWorker(index))));
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  /** True while every slot has a live worker. */
  get ready(): boolean {
    return !this.#closed && this.#slots.every((slot) => slot !== null && !slot.worker.closed);
  }

  get workers(): readonly PooledWorker[] {
    return this.#slots.filter((slot): slot is PooledWorker => slot !== null);
  }

  /** Round robin over live workers: rooms are spread evenly, which is what a router needs. */
  pick(): PooledWorker {
    const live = this.workers.filter((slot) => !slot.worker.closed);
    if (this.#closed || live.length === 0) throw new Error('WorkerPool.pick(): no live worker');
    const chosen = live[this.#next % live.length]!;
    this.#next = (this.#next + 1) % live.length;
    return chosen;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const slot of this.#slots) slot?.worker.close();
    this.#slots.fill(null);
  }

  async #startWorker(index: number): Promise<PooledWorker> {
    const { logger } = this.#options;
    const worker = await mediasoup.createWorker({
      logLevel: this.#options.logLevel,
      logTags: this.#options.logTags,
      ...(this.#options.workerBin ? { workerBin: this.#options.workerBin } : {}),
      appData: { index },
    });
    let webRtcServer: ms.WebRtcServer;
    try {
      const portRange = { min: this.#options.rtcMinPort, max: this.#options.rtcMaxPort };
      const listen = { ip: this.#options.listenIp, announcedAddress: this.#options.announcedAddress, portRange };
      webRtcServer = await worker.createWebRtcServer({
        listenInfos: [
          { protocol: 'udp', ...listen },
          { protocol: 'tcp', ...listen },
        ],
      });
    } catch (error) {
      worker.close();
      throw error;
    }
    const pooled: PooledWorker = { index, worker, webRtcServer, listenIp: this.#options.listenIp };
    worker.on('died', (error) => void this.#onDied(pooled, error));
    const { udpSockets, tcpServers } = await webRtcServer.dump();
    logger.info(
      { workerIndex: index, pid: worker.pid, udp: udpSockets[0]?.port, tcp: tcpServers[0]?.port },
      'WorkerPool.startWorker(): worker up',
    );
    return pooled;
  }

  async #onDied(dead: PooledWorker, error: Error): Promise<void> {
    if (this.#closed) return;
    const { logger } = this.#options;
    logger.error({ workerIndex: dead.index, pid: dead.worker.pid, err: error }, 'WorkerPool.onDied(): worker died');
    this.#slots[dead.index] = null;
    let replacement: PooledWorker | null = null;
    try {
      replacement = await this.#startWorker(dead.index);
      if (this.#closed) {
        replacement.worker.close();
        return;
      }
      this.#slots[dead.index] = replacement;
    } catch (startError) {
      logger.error({ workerIndex: dead.index, err: startError }, 'WorkerPool.onDied(): replacement failed');
    }
    this.safeEmit('workerDied', dead, replacement);
  }
}
