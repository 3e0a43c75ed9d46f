/**
 * The HTTP surface: health probes, join links, the admin API and the client's
 * static files. Errors leave here as a code and a sentence, never a stack.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import type { RoomId } from '../../shared/ids';
import type { Role } from '../../shared/roles';
import type { Queryable } from '../db/Db';
import type { JoinTokens } from '../links/joinToken';
import type { RoomSettings, RoomStore } from '../rooms/RoomStore';
import type { SessionLinks } from '../sessions/SessionLinks';
import { linkErrorPage } from './linkErrorPage';
import { requireBearer } from './requireBearer';
import { servePage } from './servePage';

export interface RoutesDeps {
  joinTokens: JoinTokens;
  roomStore: RoomStore;
  /** Which server holds a live session: a link opened on another is sent there. */
  roomElsewhere?: (roomId: RoomId) => Promise<string | null>;
  /** Every link is a stored row (revocable); the join page checks it after the signature. */
  links: Pick<SessionLinks, 'issue' | 'url' | 'check'>;
  /** Where links are stored. */
  db: Queryable;
  clientDir: string;
  adminToken: string;
  linkTtlSeconds: number;
  isReady: () => boolean;
  baseUrl: () => string;
  logger: Logger;
  /** The durable-records routes (/api/staff, /api/org, /api/cases, /api/reports, /staff), mounted before static files. */
  recordRoutes?: RequestHandler;
}

export interface RoomLinks {
  roomId: RoomId;
  title: string;
  expiresAt: string;
  links: Record<Role, string>;
}

const createRoomBody = z
  .object({
    title: z.string().trim().min(1).max(120).default('Gridroom'),
    waitingRoom: z.boolean().default(false),
    recording: z.boolean().default(false),
  })
  .strict();

export type CreateRoomWithLinks = (settings: Partial<RoomSettings>) => Promise<RoomLinks>;

export function createRoutes(deps: RoutesDeps): { app: Express; createRoomWithLinks: CreateRoomWithLinks } {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');

  async function createRoomWithLinks(settings: Partial<RoomSettings>): Promise<RoomLinks> {
    const room = await deps.roomStore.create({ title: 'Gridroom', waitingRoom: false, recording: false, ...settings });
    const roles: Role[] = ['mediator', 'party', 'expert', 'observer'];
    let expiresAt = new Date();
    const entries = await Promise.all(
      roles.map(async (role) => {
        const link = await deps.links.issue(deps.db, {
          sessionId: room.roomId,
          role,
          label: role,
          ttlSeconds: deps.linkTtlSeconds,
          createdBy: null,
        });
        expiresAt = link.expiresAt;
        return [role, await deps.links.url(link)] as const;
      }),
    );
    return {
      roomId: room.roomId,
      title: room.title,
      expiresAt: expiresAt.toISOString(),
      links: Object.fromEntries(entries) as Record<Role, string>,
    };
  }

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', (_req, res) => {
    const ready = deps.isReady();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready' });
  });

  const indexHtml = path.join(deps.clientDir, 'index.html');
  const joinPage: RequestHandler = async (req, res) => {
    res.set('Cache-Control', 'no-store');
    res.set('Referrer-Policy', 'no-referrer'); // the token is in the path: never leak it to other sites
    try {
      const token = String(req.params.token ?? '');
      const claims = await deps.joinTokens.verify(token);
      if (!(await deps.roomStore.get(claims.roomId))) throw new AppError('NOT_FOUND', 'this room does not exist');
      // The page cannot know the device: a single-device link is bound at the socket handshake.
      await deps.links.check(claims);
      // The session is live on another server of the deployment: open the page there, where its media is.
      const owner = await deps.roomElsewhere?.(claims.roomId);
      if (owner) return res.redirect(307, `${owner}/join/${encodeURIComponent(token)}`);
      if (!fs.existsSync(indexHtml)) throw new Error(`client not built: ${indexHtml} is missing (run npm run build)`);
      res.sendFile(indexHtml);
    } catch (error) {
      const appError = error instanceof AppError ? error : undefined;
      if (!appError) deps.logger.error({ err: error }, 'GET /join: failed');
      res
        .status(appError?.httpStatus ?? 500)
        .type('html')
        .send(linkErrorPage(appError?.code ?? 'INVALID_LINK'));
    }
  };
  app.get('/join/:token', joinPage);
  app.get('/join', joinPage);

  app.post('/api/rooms', requireBearer(deps.adminToken), express.json({ limit: '4kb' }), async (req, res) => {
    const body = createRoomBody.safeParse(req.body ?? {});
    if (!body.success) throw new AppError('BAD_REQUEST', body.error.issues[0]?.message ?? 'invalid body');
    res.status(201).json(await createRoomWithLinks(body.data));
  });

  if (deps.recordRoutes) app.use(deps.recordRoutes);
  // The staff console (client/staff.html) routes in the browser; GET /staff/login, the
  // script-free form, is answered by recordRoutes above and never reaches this.
  const staffHtml = path.join(deps.clientDir, 'staff.html');
  app.get(['/staff', '/staff/*path'], (_req, res, next) => {
    if (!fs.existsSync(staffHtml)) return next(new Error(`client not built: ${staffHtml} is missing`));
    res.set('Cache-Control', 'no-store').sendFile(staffHtml);
  });
  app.get(['/expert', '/expert/*path'], servePage(path.join(deps.clientDir, 'expert.html')));
  // Vite names built assets by content hash, so they never change: a phone on a
  // slow network downloads them once. Anything else is revalidated.
  app.use('/assets', express.static(path.join(deps.clientDir, 'assets'), { immutable: true, maxAge: '365d' }));
  app.use(express.static(deps.clientDir, { index: false, maxAge: 0 }));
  app.use((_req, _res, next) => next(new AppError('NOT_FOUND', 'no such page')));

  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    // body-parser errors carry a status (400 bad JSON, 413 too large).
    const status = typeof error?.status === 'number' ? error.status : undefined;
    const appError =
      error instanceof AppError
        ? error
        : status === 413
          ? new AppError('PAYLOAD_TOO_LARGE', 'request body too large')
          : status && status < 500
            ? new AppError('BAD_REQUEST', 'malformed request')
            : undefined;
    if (!appError) deps.logger.error({ err: error }, 'HTTP request failed');
    const body = appError?.toBody() ?? { code: 'INTERNAL', message: 'the server could not do that' };
    res.status(appError?.httpStatus ?? 500).json({ error: body });
  };
  app.use(onError);
  return { app, createRoomWithLinks };
}
