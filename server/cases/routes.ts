/**
 * /api/cases: the case record over HTTP. Each route authenticates, validates
 * its input, and hands over to CaseService, which asks can() and audits.
 */
import express, { Router } from 'express';
import { parseInput } from '../http/validate';
import { staffOf } from '../staff/authenticate';
import type { CaseService } from './CaseService';
import {
  assignBody,
  caseParams,
  escalateBody,
  followUpBody,
  listQuery,
  noInput,
  registerBody,
  statusBody,
} from './schemas';

export function caseRoutes(cases: CaseService): Router {
  const router = Router();
  router.use(express.json({ limit: '32kb' }));

  router.get('/', async (req, res) => {
    const actor = staffOf(req);
    const filter = parseInput(listQuery, req.query, 'query');
    res.json({ cases: await cases.list(actor, filter) });
  });

  router.post('/', async (req, res) => {
    const actor = staffOf(req);
    const body = parseInput(registerBody, req.body);
    res.status(201).json({ case: await cases.register(actor, body) });
  });

  router.get('/:id', async (req, res) => {
    const actor = staffOf(req);
    const { id } = parseInput(caseParams, req.params, 'path');
    parseInput(noInput, req.query, 'query');
    res.json({ case: await cases.get(actor, id) });
  });

  router.get('/:id/audit', async (req, res) => {
    const actor = staffOf(req);
    const { id } = parseInput(caseParams, req.params, 'path');
    parseInput(noInput, req.query, 'query');
    res.json({ audit: await cases.auditTrail(actor, id) });
  });

  router.post('/:id/status', async (req, res) => {
    const actor = staffOf(req);
    const { id } = parseInput(caseParams, req.params, 'path');
    const body = parseInput(statusBody, req.body);
    res.json({ case: await cases.changeStatus(actor, id, body.to, body.note) });
  });

  router.post('/:id/escalate', async (req, res) => {
    const actor = staffOf(req);
    const { id } = parseInput(caseParams, req.params, 'path');
    const body = parseInput(escalateBody, req.body);
    res.json({ case: await cases.escalate(actor, id, body.reason, body.committeeId) });
  });

  router.post('/:id/assign', async (req, res) => {
    const actor = staffOf(req);
    const { id } = parseInput(caseParams, req.params, 'path');
    const body = parseInput(assignBody, req.body);
    res.json({ case: await cases.assign(actor, id, body.handlerId) });
  });

  router.post('/:id/follow-ups', async (req, res) => {
    const actor = staffOf(req);
    const { id } = parseInput(caseParams, req.params, 'path');
    const body = parseInput(followUpBody, req.body);
    res.status(201).json({ case: await cases.recordFollowUp(actor, id, body) });
  });

  return router;
}
