/**
 * Work the join would otherwise do after the tap, done while the person is
 * still looking at the preview: detecting the browser's WebRTC handler, and
 * starting WebRTC itself (a page's first RTCPeerConnection is the slow one).
 */
import { Device } from 'mediasoup-client';

let next: Promise<Device> | null = null;

export function warmUp(): void {
  if (next) return;
  next = Device.factory();
  next.catch(() => (next = null));
  try {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('audio');
    pc.addTransceiver('video');
    void pc
      .createOffer()
      .catch(() => undefined)
      .finally(() => pc.close());
  } catch {
    // No WebRTC here: the join reports it properly.
  }
}

/** A fresh Device for a session (every session loads its own router's capabilities). */
export function newDevice(): Promise<Device> {
  const device = next ?? Device.factory();
  next = null;
  return device;
}
