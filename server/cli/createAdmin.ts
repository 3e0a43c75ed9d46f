/**
 * Creates the first administrator, straight in the configured database
 * (DATABASE_URL, or the embedded one in DATA_DIR: stop the server first, it
 * holds the embedded database's lock):
 *
 *   npm run admin:create -- --username admin --name "系统管理员"
 *   printf '%s\n' "$PASSWORD" | npm run admin:create -- --username admin --name "..." --password-stdin
 *
 * Without --password-stdin a strong password is generated and printed once.
 * Further accounts are made by that administrator through POST /api/staff.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseConfig } from '../config';
import { openDatabase } from '../db/openDatabase';
import { parseInput } from '../http/validate';
import { createLogger } from '../logger';
import { Records } from '../records';
import { passwordSchema, usernameSchema } from '../staff/schemas';
import { StaffService } from '../staff/StaffService';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      username: { type: 'string' },
      name: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      /** Create one although an administrator exists (e.g. the only one lost their password). */
      another: { type: 'boolean', default: false },
    },
  });
  const args = parseInput(
    z.object({ username: usernameSchema, name: z.string().trim().min(1).max(100) }),
    { username: values.username, name: values.name ?? values.username },
    'arguments',
  );
  const generated = !values['password-stdin'];
  const password = generated ? randomBytes(15).toString('base64url') : await readStdin();
  parseInput(passwordSchema, password, 'password');

  const config = parseConfig(process.env);
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const db = await openDatabase(config.database, logger);
  try {
    const records = new Records(db);
    if (!values.another && (await records.read.staff.countActiveAdmins()) > 0) {
      throw new Error('an administrator already exists: log in as them and use POST /api/staff (or pass --another)');
    }
    const service = new StaffService(records, { sessionTtlSeconds: config.sessionTtlSeconds, logger });
    const admin = await service.create(null, {
      username: args.username,
      displayName: args.name,
      role: 'admin',
      password,
      gridId: null,
      committeeId: null,
      townshipId: null,
      districtId: null,
    });
    console.log(
      `Administrator "${admin.username}" created in the ${db.kind === 'pglite' ? `embedded database (${config.database.dataDir})` : 'PostgreSQL database'}.`,
    );
    if (generated) console.log(`Password (shown once; change it with POST /api/staff/me/password): ${password}`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  console.error(`admin:create: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
