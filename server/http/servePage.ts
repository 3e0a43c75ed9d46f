/**
 * Serves one built HTML entry of the client (vite.config.ts) for a page that
 * routes in the browser, never cached so a deploy reaches the next load.
 */
import fs from 'node:fs';
import type { RequestHandler } from 'express';

export function servePage(file: string): RequestHandler {
  return (_req, res, next) => {
    if (!fs.existsSync(file)) return next(new Error(`client not built: ${file} is missing`));
    res.set('Cache-Control', 'no-store').sendFile(file);
  };
}
