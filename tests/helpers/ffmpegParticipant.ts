/**
 * A participant made of two ffmpeg processes: a VP8 camera and an Opus
 * microphone, producing into a MediaRoom through PlainTransports, the way a
 * browser's camera and microphone would. Always stop() it in teardown.
 */
import type { PeerId, TransportId } from '../../shared/ids';
import type { MediaRoom } from '../../media/MediaRoom';
import type { Producer } from '../../media/MediaPeer';
import { eventually } from './eventually';
import { sendOpusTone, sendVp8TestPattern, type FfmpegProcess } from './ffmpegRtp';

export interface FfmpegParticipant {
  camera: Producer;
  mic: Producer;
  stop(): Promise<void>;
}

const packets = async (p: Producer) => (await p.getStats()).reduce((n, s) => n + s.packetCount, 0);

/** Resolves once both producers receive packets. `ssrcBase` must differ per participant of a room. */
export async function ffmpegParticipant(room: MediaRoom, peerId: PeerId, ssrcBase: number): Promise<FfmpegParticipant> {
  const peer = room.peer(peerId);
  const videoIn = await peer.createPlainTransport();
  const audioIn = await peer.createPlainTransport();
  const camera = await peer.produce({
    transportId: videoIn.id as TransportId,
    kind: 'video',
    source: 'camera',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
      encodings: [{ ssrc: ssrcBase }],
    },
  });
  const mic = await peer.produce({
    transportId: audioIn.id as TransportId,
    kind: 'audio',
    source: 'mic',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
      encodings: [{ ssrc: ssrcBase + 1 }],
    },
  });
  const senders: FfmpegProcess[] = [
    sendVp8TestPattern({ port: videoIn.tuple.localPort, ssrc: ssrcBase, payloadType: 101, seconds: 60 }),
    sendOpusTone({ port: audioIn.tuple.localPort, ssrc: ssrcBase + 1, payloadType: 100, seconds: 60 }),
  ];
  const stop = async () => {
    await Promise.all(senders.map((s) => s.stop()));
  };
  try {
    await eventually(async () => (await packets(camera)) > 10 && (await packets(mic)) > 10, {
      what: `${peerId} sending (${senders.map((s) => s.stderr()).join(' ') || 'ffmpeg said nothing'})`,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { camera, mic, stop };
}
