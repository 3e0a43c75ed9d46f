/**
 * Answers for HTTP upgrades that are not accepted: a plain HTTP error on the raw
 * socket (no websocket was ever opened), and a last listener that refuses
 * upgrades to paths nobody serves. The latter replaces socket.io's
 * `destroyUpgrade`, which ends any upgrade it does not own after one second
 * unless something was written: it cut the co-editing endpoint's upgrades
 * whenever authentication and loading the document took longer than that.
 */
import { STATUS_CODES, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { AppError } from '../../shared/errors';

/** Answers an upgrade with an HTTP error and closes the socket. */
export function rejectUpgrade(socket: Duplex, error: AppError): void {
  if (socket.destroyed) return;
  if (!socket.writable) return void socket.destroy();
  const status = error.httpStatus;
  const body = JSON.stringify({ error: error.toBody() });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * Refuses (404) every upgrade whose path starts with none of `servedPrefixes`.
 * Add it after the endpoints' own listeners: each of them ignores other paths.
 */
export function refuseUnservedUpgrades(httpServer: HttpServer, servedPrefixes: readonly string[]): void {
  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (servedPrefixes.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`))) return;
    socket.on('error', () => socket.destroy());
    rejectUpgrade(socket, new AppError('NOT_FOUND', `nothing upgrades at ${pathname}`));
  });
}
