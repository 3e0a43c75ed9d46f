/**
 * /api/staff: login, logout, who am I, and the administrator's accounts.
 */
import express, { Router, type Response } from 'express';
import type { Actor } from '../authz/actor';
import { parseInput } from '../http/validate';
import { SESSION_COOKIE, staffOf } from './authenticate';
import { changePasswordBody, createStaffBody, loginBody, noQuery, staffIdParams } from './schemas';
import type { StaffService } from './StaffService';

export function staffRoutes(service: StaffService): Router {
  const router = Router();
  router.use(express.json({ limit: '8kb' }));

  router.post('/login', async (req, res) => {
    const body = parseInput(loginBody, req.body);
    const { token, expiresAt, actor } = await service.login(body.username, body.password);
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
      path: '/',
      expires: expiresAt,
    });
    res.json({ staff: publicActor(actor), expiresAt, ...(body.bearer ? { token } : {}) });
  });

  router.post('/logout', async (req, res) => {
    const actor = staffOf(req);
    parseInput(noQuery, req.body);
    await service.logout(actor, req.sessionTokenHash!);
    clearCookie(res);
    res.status(204).end();
  });

  router.get('/me', (req, res) => {
    const actor = staffOf(req);
    parseInput(noQuery, req.query, 'query');
    res.json({ staff: publicActor(actor) });
  });

  router.post('/me/password', async (req, res) => {
    const actor = staffOf(req);
    const body = parseInput(changePasswordBody, req.body);
    await service.changePassword(actor, req.sessionTokenHash!, body.current, body.next);
    res.status(204).end();
  });

  router.get('/', async (req, res) => {
    const actor = staffOf(req);
    parseInput(noQuery, req.query, 'query');
    res.json({ staff: await service.list(actor) });
  });

  router.post('/', async (req, res) => {
    const actor = staffOf(req);
    const body = parseInput(createStaffBody, req.body);
    res.status(201).json({ staff: await service.create(actor, body) });
  });

  router.post('/:id/deactivate', async (req, res) => {
    const actor = staffOf(req);
    const { id } = parseInput(staffIdParams, req.params, 'path');
    parseInput(noQuery, req.body);
    res.json({ staff: await service.setActive(actor, id, false) });
  });

  router.post('/:id/activate', async (req, res) => {
    const actor = staffOf(req);
    const { id } = parseInput(staffIdParams, req.params, 'path');
    parseInput(noQuery, req.body);
    res.json({ staff: await service.setActive(actor, id, true) });
  });

  return router;
}

function publicActor(actor: Actor) {
  return {
    id: actor.staffId,
    username: actor.username,
    displayName: actor.displayName,
    role: actor.role,
    post: actor.post,
  };
}

function clearCookie(res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/' });
}
