/**
 * A UDP socket that records the RTP (and RTCP) packets it receives, to prove
 * that media really leaves the SFU: connect a PlainTransport (comedia off) to
 * its port and consume a producer on it.
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

export interface RtpPacket {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  bytes: number;
}

export class RtpSink {
  readonly #socket: dgram.Socket;
  readonly rtp: RtpPacket[] = [];
  /** RTCP packet types seen (200 SR, 201 RR, ...). */
  readonly rtcp: number[] = [];

  private constructor(socket: dgram.Socket) {
    this.#socket = socket;
    socket.on('message', (message) => this.#onMessage(message));
  }

  static async open(ip = '127.0.0.1'): Promise<RtpSink> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, ip, () => resolve());
    });
    return new RtpSink(socket);
  }

  get port(): number {
    return (this.#socket.address() as AddressInfo).port;
  }

  packetsOf(ssrc: number, payloadType: number): RtpPacket[] {
    return this.rtp.filter((p) => p.ssrc === ssrc && p.payloadType === payloadType);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }

  #onMessage(message: Buffer): void {
    if (message.length < 12 || message[0]! >> 6 !== 2) return; // not RTP version 2
    const secondByte = message[1]!;
    // RTCP packet types 192..223 occupy the marker bit + payload type byte (RFC 5761 demultiplexing).
    if (secondByte >= 192 && secondByte <= 223) {
      this.rtcp.push(secondByte);
      return;
    }
    this.rtp.push({
      payloadType: secondByte & 0x7f,
      sequenceNumber: message.readUInt16BE(2),
      timestamp: message.readUInt32BE(4),
      ssrc: message.readUInt32BE(8),
      bytes: message.length,
    });
  }
}
