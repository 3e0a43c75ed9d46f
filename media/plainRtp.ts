/**
 * The plain-RTP plumbing between the SFU and a local ffmpeg, shared by the
 * Recorder, the still capture and the recording benchmark: which codecs a
 * PlainTransport consumer for ffmpeg may carry, the SDP that tells ffmpeg
 * what arrives on which port, free port pairs for it, and whether it has
 * bound them yet.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import type { types as ms } from 'mediasoup';

/** One stream of an SDP: what the consumer carries, and the port ffmpeg listens on for it (RTCP on port + 1). */
export interface SdpStream {
  consumer: ms.Consumer;
  stream: { port: number };
}

/**
 * The router's codecs without RTX and without header extensions: ffmpeg
 * neither asks for retransmissions nor reads mediasoup's extensions, and an
 * RTX stream on the same port would only be noise to its demuxer.
 */
export function recorderCapabilities(router: ms.RtpCapabilities): ms.RtpCapabilities {
  return {
    codecs: (router.codecs ?? [])
      .filter((c) => !/\/rtx$/i.test(c.mimeType))
      .map((c) => ({ ...c, rtcpFeedback: (c.rtcpFeedback ?? []).filter((fb) => fb.type !== 'transport-cc') })),
    headerExtensions: [],
  };
}

/** The SDP ffmpeg reads: one m= line per stream, on the port its PlainTransport sends to. */
export function sdpOf(legs: readonly SdpStream[]): string {
  const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=Gridroom recording', 'c=IN IP4 127.0.0.1', 't=0 0'];
  for (const { consumer, stream } of legs) {
    const codec = consumer.rtpParameters.codecs[0]!;
    const name = codec.mimeType.split('/')[1]!;
    const channels = codec.channels && codec.channels > 1 ? `/${codec.channels}` : '';
    lines.push(`m=${consumer.kind} ${stream.port} RTP/AVP ${codec.payloadType}`);
    lines.push(`a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`);
    const fmtp = Object.entries(codec.parameters ?? {}).map(([k, v]) => `${k}=${String(v)}`);
    if (fmtp.length > 0) lines.push(`a=fmtp:${codec.payloadType} ${fmtp.join(';')}`);
    lines.push('a=sendonly');
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** Every port is bound by someone: ffmpeg, since we chose them free. */
export function allBound(ports: number[]): boolean {
  const bound = boundUdpPorts();
  return ports.every((p) => bound.has(p));
}

/** UDP ports bound on this host (IPv4 and IPv6), from /proc/net. */
export function boundUdpPorts(): Set<number> {
  const ports = new Set<number>();
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue; // no IPv6 on this host
    }
    // "  sl  local_address rem_address ...": local_address is ADDR:PORT in hex.
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      if (local) ports.add(parseInt(local.split(':')[1]!, 16));
    }
  }
  return ports;
}

/**
 * `count` even ports P with P + 1 free too (ffmpeg takes RTP on P and RTCP on
 * P + 1), tried by binding on every address and released at once. Another
 * process could take one before ffmpeg does; ffmpeg then fails to bind and
 * create() reports it, which is why the range should be one nobody else uses.
 */
export async function freePortPairs(count: number, range: { min: number; max: number }): Promise<number[]> {
  const found: number[] = [];
  const span = Math.floor((range.max - range.min) / 2);
  for (let tries = 0; found.length < count && tries < 200; tries += 1) {
    const port = range.min + 2 * Math.floor(Math.random() * span);
    if (found.includes(port)) continue;
    if ((await canBind(port)) && (await canBind(port + 1))) found.push(port);
  }
  if (found.length < count) throw new Error(`Recorder: no free port pairs in ${range.min}-${range.max}`);
  return found;
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, '0.0.0.0', () => socket.close(() => resolve(true)));
  });
}
