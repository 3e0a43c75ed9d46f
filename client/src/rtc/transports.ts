/**
 * Creating the two WebRTC transports of a session and wiring them to the
 * signalling: DTLS `connect`, `produce`, and ICE restarts when the network
 * under a transport changes while the socket is still up.
 */
import type { Device, types as msc } from 'mediasoup-client';
import type { TransportId } from '../../../shared/ids';
import type { MediaSource, RequestPayload, TransportDirection } from '../../../shared/protocol';
import { RequestError } from '../signaling/errors';
import type { SignalingClient } from '../signaling/SignalingClient';

export interface TransportAppData extends msc.AppData {
  direction: TransportDirection;
}
export type SessionTransport = msc.Transport<TransportAppData>;

export interface ProducerAppData extends msc.AppData {
  source: MediaSource;
}

export async function createTransport(
  signaling: SignalingClient,
  device: Device,
  direction: TransportDirection,
  onStateChange: (transport: SessionTransport, state: msc.ConnectionState) => void,
): Promise<SessionTransport> {
  const params = await signaling.request('media:createTransport', { direction });
  const options = {
    id: params.transportId,
    iceParameters: params.iceParameters,
    iceCandidates: params.iceCandidates,
    dtlsParameters: params.dtlsParameters,
    appData: { direction },
  };
  const transport =
    direction === 'send'
      ? device.createSendTransport<TransportAppData>(options)
      : device.createRecvTransport<TransportAppData>(options);
  const transportId = params.transportId;

  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    signaling
      .request('media:connectTransport', {
        transportId,
        dtlsParameters: dtlsParameters as RequestPayload<'media:connectTransport'>['dtlsParameters'],
      })
      .then(() => callback(), errback);
  });

  if (direction === 'send') {
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      const source = (appData as Partial<ProducerAppData>).source;
      if (!source) {
        errback(new RequestError('BAD_REQUEST', 'a producer needs appData.source'));
        return;
      }
      signaling
        .request('media:produce', {
          transportId,
          kind,
          source,
          rtpParameters: rtpParameters as RequestPayload<'media:produce'>['rtpParameters'],
        })
        .then(({ producerId }) => callback({ id: producerId }), errback);
    });
  }

  transport.on('connectionstatechange', (state) => onStateChange(transport, state));
  return transport;
}

/** New ICE credentials from the server, applied to our side: the path is found again without new transports. */
export async function restartIce(
  signaling: SignalingClient,
  transport: SessionTransport,
  timeoutMs: number,
): Promise<void> {
  const { iceParameters } = await signaling.request(
    'media:restartIce',
    { transportId: transport.id as TransportId },
    timeoutMs,
  );
  await transport.restartIce({ iceParameters });
}
