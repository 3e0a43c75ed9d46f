/**
 * The session routes, mounted at /api: scheduling a case's sessions, their
 * links and the case's recording setting. Each route authenticates, validates
 * its input and hands over to SessionService, which asks can() and audits.
 */
import express, { Router } from 'express';
import { parseInput } from '../http/validate';
import { staffOf } from '../staff/authenticate';
import { addLinkBody, caseParams, linkParams, noInput, recordingBody, scheduleBody, sessionParams } from './schemas';
import type { SessionService } from './SessionService';

export function sessionRoutes(sessions: SessionService): Router {
  const router = Router();
  const json = express.json({ limit: '8kb' });

  router.post('/cases/:caseId/sessions', json, async (req, res) => {
    const actor = staffOf(req);
    const { caseId } = parseInput(caseParams, req.params, 'path');
    const body = parseInput(scheduleBody, req.body);
    res.status(201).json(await sessions.schedule(actor, caseId, body));
  });

  router.get('/cases/:caseId/sessions', async (req, res) => {
    const actor = staffOf(req);
    const { caseId } = parseInput(caseParams, req.params, 'path');
    parseInput(noInput, req.query, 'query');
    res.json(await sessions.list(actor, caseId));
  });

  router.post('/sessions/:sessionId/links', json, async (req, res) => {
    const actor = staffOf(req);
    const { sessionId } = parseInput(sessionParams, req.params, 'path');
    const body = parseInput(addLinkBody, req.body);
    res.status(201).json({ link: await sessions.addLink(actor, sessionId, body) });
  });

  router.post('/sessions/:sessionId/links/:linkId/revoke', json, async (req, res) => {
    const actor = staffOf(req);
    const { sessionId, linkId } = parseInput(linkParams, req.params, 'path');
    parseInput(noInput, req.body);
    res.json({ link: await sessions.revoke(actor, sessionId, linkId) });
  });

  router.post('/cases/:caseId/recording', json, async (req, res) => {
    const actor = staffOf(req);
    const { caseId } = parseInput(caseParams, req.params, 'path');
    const { enabled } = parseInput(recordingBody, req.body);
    res.json({ case: await sessions.setRecording(actor, caseId, enabled) });
  });

  return router;
}
