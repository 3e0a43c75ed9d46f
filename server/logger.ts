/**
 * pino, and mediasoup's own logs routed into it so one stream tells the story
 * (a worker's "srtp_protect() failed" line lands beside the room it hurt).
 */
import * as mediasoup from 'mediasoup';
import pino, { type DestinationStream, type Logger } from 'pino';

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    { level, base: { service: 'gridroom' }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ?? pino.destination(1),
  );
}

export function routeMediasoupLogs(logger: Logger): void {
  const log = logger.child({ component: 'mediasoup' });
  mediasoup.setLogEventListeners({
    onwarn: (namespace, message) => log.warn({ namespace }, message),
    onerror: (namespace, message, error) => log.error({ namespace, err: error }, message),
  });
}
