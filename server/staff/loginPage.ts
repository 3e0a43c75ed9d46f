/**
 * /staff/login: a plain HTML form for staff in a browser (the printable
 * reports need a session cookie). It posts to itself, so it works without
 * script; `next` may only be a path on this site.
 */
import express, { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { escapeHtml } from '../reports/html';
import { SESSION_COOKIE } from './authenticate';
import type { StaffService } from './StaffService';

// A path on this site: one leading slash, never "//host" or "/\host".
const nextPath = z
  .string()
  .regex(/^\/(?![/\\])[\x21-\x7e]*$/)
  .max(500)
  .catch('/api/reports/monthly.html');

const form = z.object({
  username: z.string().trim().toLowerCase().max(40),
  password: z.string().max(200),
  next: nextPath,
});

function page(next: string, error?: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>工作人员登录 · Staff login</title>
<style>body{font-family:sans-serif;max-width:360px;margin:10vh auto;padding:0 16px}label{display:block;margin:12px 0 4px}
input{width:100%;padding:8px;font-size:16px;box-sizing:border-box}button{margin-top:16px;padding:10px 16px;font-size:16px}.error{color:#b23b22}</style>
</head><body>
<h1>工作人员登录 <small>Staff login</small></h1>
${error ? `<p class="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/staff/login">
<input type="hidden" name="next" value="${escapeHtml(next)}">
<label for="u">用户名 Username</label><input id="u" name="username" autocomplete="username" required>
<label for="p">密码 Password</label><input id="p" name="password" type="password" autocomplete="current-password" required>
<button type="submit">登录 Log in</button>
</form></body></html>`;
}

export function loginPageRoutes(service: StaffService): Router {
  const router = Router();
  const headers = {
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
  };

  router.get('/login', (req, res) => {
    res
      .set(headers)
      .type('html')
      .send(page(nextPath.parse(req.query.next)));
  });

  router.post('/login', express.urlencoded({ extended: false, limit: '4kb' }), async (req, res) => {
    const body = form.safeParse(req.body ?? {});
    const next = body.success ? body.data.next : nextPath.parse(undefined);
    try {
      if (!body.success || !body.data.username || !body.data.password)
        throw new AppError('UNAUTHENTICATED', 'wrong username or password');
      const { token, expiresAt } = await service.login(body.data.username, body.data.password);
      res.cookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'lax',
        secure: req.secure,
        path: '/',
        expires: expiresAt,
      });
      res.redirect(303, next);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'UNAUTHENTICATED') throw error;
      res.status(401).set(headers).type('html').send(page(next, '用户名或密码错误 · Wrong username or password'));
    }
  });

  return router;
}
