/**
 * Recording benchmark (not a test): what media/Recorder costs per recorded
 * stream, against the floor of a bare `ffmpeg -c copy` fed the same
 * producers through PlainTransports of the same router, in the same run.
 *
 * PARTICIPANTS participants (default 2) each send a VP8 camera (640x480,
 * 30 fps, 800 kbit/s, ffmpeg test pattern) and an Opus microphone (32 kbit/s)
 * into one mediasoup worker. The Recorder records all their streams in one
 * ffmpeg; beside it, one bare ffmpeg per stream copies that stream alone.
 * After WARMUP_S seconds, CPU time (utime + stime in /proc/<pid>/stat) is
 * read over DURATION_S seconds for every ffmpeg and the worker, and the resident
 * memory (VmRSS, VmHWM in /proc/<pid>/status) at the end.
 *
 *   npm run bench:recording            (PARTICIPANTS=2 DURATION_S=60 WARMUP_S=5)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { types as ms } from 'mediasoup';
import pino from 'pino';
import type { PeerId, RoomId, TransportId } from '../../shared/ids';
import type { Producer } from '../../media/MediaPeer';
import { MediaRoom } from '../../media/MediaRoom';
import { boundUdpPorts, freePortPairs, recorderCapabilities, sdpOf } from '../../media/plainRtp';
import { Recorder } from '../../media/Recorder';
import { WorkerPool } from '../../media/WorkerPool';
import { eventually } from '../../tests/helpers/eventually';
import { sendOpusTone, sendVp8TestPattern, type FfmpegProcess } from '../../tests/helpers/ffmpegRtp';

const PARTICIPANTS = Number(process.env.PARTICIPANTS ?? 2);
const SECONDS = Number(process.env.DURATION_S ?? 60);
const WARMUP_S = Number(process.env.WARMUP_S ?? 5);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const logger = pino({ level: 'warn' });

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5), counted from the state field (3) here.
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/**
 * Resident memory in KiB: RSS and its peak count every shared library page
 * ffmpeg maps (most of it); PSS shares those among the processes mapping them,
 * closer to what one more recorder really adds.
 */
function memoryKb(pid: number): { rss: number; hwm: number; pss: number } {
  const kb = (text: string, key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return { rss: kb(status, 'VmRSS'), hwm: kb(status, 'VmHWM'), pss: kb(rollup, 'Pss') };
}

async function producerBytes(producer: Producer): Promise<{ bytes: number; packets: number }> {
  const stats = await producer.getStats();
  return {
    bytes: stats.reduce((n, s) => n + s.byteCount, 0),
    packets: stats.reduce((n, s) => n + s.packetCount, 0),
  };
}

interface Bare {
  child: ChildProcess;
  producer: Producer;
  transport: ms.PlainTransport;
  closed: Promise<void>;
}

/** The floor: the shortest ffmpeg command that copies one stream from a PlainTransport into a file. */
async function startBare(router: ms.Router, producer: Producer, dir: string, index: number): Promise<Bare> {
  const [port] = await freePortPairs(1, { min: 30000, max: 34999 });
  const transport = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
    rtcpMux: false,
    comedia: false,
  });
  await transport.connect({ ip: '127.0.0.1', port: port!, rtcpPort: port! + 1 });
  const consumer = await transport.consume({
    producerId: producer.id,
    rtpCapabilities: recorderCapabilities(router.rtpCapabilities),
    paused: true,
  });
  const stream = { port: port! };
  const sdp = path.join(dir, `bare-${index}.sdp`);
  fs.writeFileSync(sdp, sdpOf([{ consumer, stream }]));
  const args = ['-nostdin', '-loglevel', 'error', '-protocol_whitelist', 'file,udp,rtp', '-i', sdp, '-c', 'copy'];
  const child = spawn('ffmpeg', [...args, '-y', path.join(dir, `bare-${index}.mkv`)], { stdio: 'ignore' });
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  await eventually(() => boundUdpPorts().has(port!) && boundUdpPorts().has(port! + 1), { what: 'bare ffmpeg ports' });
  await consumer.resume();
  if (consumer.kind === 'video') await consumer.requestKeyFrame();
  return { child, producer, transport, closed };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gridroom-bench-recording-'));
  const pool = await WorkerPool.create({
    numWorkers: 1,
    listenIp: '127.0.0.1',
    rtcMinPort: 40000,
    rtcMaxPort: 49999,
    logLevel: 'warn',
    logTags: [],
    logger,
  });
  const pooled = pool.pick();
  const room = await MediaRoom.create({ roomId: 'bench-recording' as RoomId, pooledWorker: pooled, logger });
  const senders: FfmpegProcess[] = [];
  const bares: Bare[] = [];
  let recorder: Recorder | undefined;
  try {
    const producers: Producer[] = [];
    for (let i = 0; i < PARTICIPANTS; i += 1) {
      const peer = room.peer(`participant-${i}` as PeerId);
      const videoIn = await peer.createPlainTransport();
      const audioIn = await peer.createPlainTransport();
      const [vSsrc, aSsrc] = [1000 + 2 * i, 1001 + 2 * i];
      producers.push(
        await peer.produce({
          transportId: videoIn.id as TransportId,
          kind: 'video',
          source: 'camera',
          rtpParameters: {
            codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
            encodings: [{ ssrc: vSsrc }],
          },
        }),
        await peer.produce({
          transportId: audioIn.id as TransportId,
          kind: 'audio',
          source: 'mic',
          rtpParameters: {
            codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
            encodings: [{ ssrc: aSsrc }],
          },
        }),
      );
      const seconds = WARMUP_S + SECONDS + 30;
      senders.push(
        sendVp8TestPattern({
          port: videoIn.tuple.localPort,
          ssrc: vSsrc,
          payloadType: 101,
          seconds,
          size: '640x480',
          fps: 30,
          bitrate: '800k',
        }),
        sendOpusTone({ port: audioIn.tuple.localPort, ssrc: aSsrc, payloadType: 100, seconds }),
      );
    }
    const received = async (p: Producer) => (await p.getStats()).reduce((n, s) => n + s.packetCount, 0);
    await eventually(async () => (await Promise.all(producers.map(received))).every((n) => n > 0), {
      what: 'every producer receiving',
      timeoutMs: 20_000,
    });

    recorder = await Recorder.create({
      router: room.router,
      producers,
      listenIp: '127.0.0.1',
      outputPath: path.join(dir, 'recording.mkv'),
      logger,
    });
    for (const [i, producer] of producers.entries()) bares.push(await startBare(room.router, producer, dir, i));

    await new Promise((resolve) => setTimeout(resolve, WARMUP_S * 1000));
    const workerPid = pooled.worker.pid;
    const pids = { recorder: recorder.pid!, worker: workerPid, bare: bares.map((b) => b.child.pid!) };
    const before = {
      recorder: cpuSeconds(pids.recorder),
      worker: cpuSeconds(pids.worker),
      bare: pids.bare.map(cpuSeconds),
    };
    const bytesBefore = await Promise.all(producers.map(producerBytes));
    const started = process.hrtime.bigint();
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    const bytesAfter = await Promise.all(producers.map(producerBytes));
    const rates = producers.map((_, i) => ({
      kbps: (8 * (bytesAfter[i]!.bytes - bytesBefore[i]!.bytes)) / wall / 1000,
      pps: (bytesAfter[i]!.packets - bytesBefore[i]!.packets) / wall,
    }));
    const pct = (cpu: number) => (100 * cpu) / wall;
    const recorderCpuSeconds = cpuSeconds(pids.recorder) - before.recorder;
    const recorderCpu = pct(recorderCpuSeconds);
    const workerCpu = pct(cpuSeconds(pids.worker) - before.worker);
    const bareCpu = pids.bare.map((pid, i) => pct(cpuSeconds(pid) - before.bare[i]!));
    const recorderMem = memoryKb(pids.recorder);
    const bareMem = pids.bare.map(memoryKb);

    const result = await recorder.stop();
    recorder = undefined;
    const probe = execFileSync(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'stream=codec_name:format=duration', '-of', 'csv=p=0', result.path],
      { encoding: 'utf8' },
    );

    const streams = producers.length;
    const kindOf = (i: number) => producers[i]!.kind;
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
    const bareVideo = avg(bareCpu.filter((_, i) => kindOf(i) === 'video'));
    const bareAudio = avg(bareCpu.filter((_, i) => kindOf(i) === 'audio'));
    const f = (x: number) => x.toFixed(2);
    console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), load ${os.loadavg().map(f).join(' ')}`);
    console.log(`${PARTICIPANTS} participants, ${streams} streams (VP8 640x480@30 800k + Opus 32k each), ${f(wall)} s`);
    for (const kind of ['video', 'audio'] as const) {
      const of = rates.filter((_, i) => kindOf(i) === kind);
      console.log(
        `  ${kind} stream as received: ${avg(of.map((r) => r.kbps)).toFixed(0)} kbit/s, ${avg(of.map((r) => r.pps)).toFixed(0)} packets/s`,
      );
    }
    console.log(
      `recorder ffmpeg: ${f(recorderCpu)} % of a core in all (${Math.round(recorderCpuSeconds * CLK_TCK)} ticks of ` +
        `1/${CLK_TCK} s), ${f(recorderCpu / streams)} % per stream`,
    );
    console.log(`bare ffmpeg -c copy, one per stream: ${f(avg(bareCpu))} % per stream`);
    console.log(`  video stream ${f(bareVideo)} %, audio stream ${f(bareAudio)} %`);
    console.log(`  ratio recorder per stream / bare per stream: ${f(recorderCpu / streams / avg(bareCpu))}`);
    console.log(`mediasoup worker (${streams} producers, ${2 * streams} consumers): ${f(workerCpu)} %`);
    const mib = (kb: number) => `${(kb / 1024).toFixed(1)} MiB`;
    console.log(
      `recorder memory: RSS ${mib(recorderMem.rss)} (peak ${mib(recorderMem.hwm)}), PSS ${mib(recorderMem.pss)}; ` +
        `bare, per process: RSS ${mib(avg(bareMem.map((m) => m.rss)))}, PSS ${mib(avg(bareMem.map((m) => m.pss)))}`,
    );
    console.log(`recording: ${result.bytes} bytes, sha256 ${result.sha256}`);
    console.log(`ffprobe: ${probe.trim().split('\n').join(' | ')}`);
  } finally {
    await recorder?.stop().catch(() => undefined);
    for (const bare of bares) {
      bare.child.kill('SIGKILL');
      await bare.closed;
      bare.transport.close();
    }
    await Promise.all(senders.map((s) => s.stop()));
    room.close();
    pool.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
