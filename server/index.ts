/**
 * The entry point: the only file that reads process.env and the only one that
 * exits the process.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { createApp } from './app';
import { ConfigError, loggableConfig, parseConfig, type Config } from './config';
import { readOrCreateSecret } from './crypto/secretFile';
import { createLogger, routeMediasoupLogs } from './logger';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`gridroom: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  routeMediasoupLogs(logger);
  logger.info({ config: loggableConfig(config) }, 'main(): starting');
  if (config.generatedSecrets.includes('TOKEN_SECRET')) {
    // Links are stored and outlive a restart; the secret that signs them must too.
    const file = path.join(config.database.dataDir, 'token-secret');
    const { value, created } = readOrCreateSecret(file, () => randomBytes(32).toString('base64url'));
    if (value.length < 32) throw new Error(`${file} holds a secret shorter than 32 characters`);
    config = { ...config, tokenSecret: value };
    logger.warn({ file, created }, 'main(): TOKEN_SECRET not set; links are signed with the secret kept in this file');
  }
  if (config.generatedSecrets.includes('ADMIN_TOKEN')) {
    logger.warn('main(): ADMIN_TOKEN not set; generated one for this process (admin calls die with it)');
  }

  const app = await createApp(config, { logger });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'main(): shutting down');
    // Do not hang forever on a stuck connection: a supervisor expects us gone.
    setTimeout(() => process.exit(1), 10_000).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'main(): shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  app.pool.on('workerDied', (dead, replacement) =>
    logger.error({ workerIndex: dead.index, replaced: Boolean(replacement) }, 'main(): media worker died'),
  );

  if (config.generatedSecrets.includes('ADMIN_TOKEN'))
    console.log(`\nAdmin token (this process only): ${config.adminToken}`);
  console.log(`\nGridroom is running at ${app.url}`);
  if ((await app.records.records.read.staff.countActiveAdmins()) === 0) {
    const stopFirst = config.database.url ? '' : ' (stop the server first: it holds the embedded database)';
    console.log(`No administrator yet${stopFirst}: npm run admin:create -- --username admin --name "管理员"`);
  }
  if (config.demoRoom) {
    const demo = await app.createRoomWithLinks({ title: 'Demo room' });
    console.log('A demo room is open. Share a link (each opens the room with that role):');
    for (const [role, link] of Object.entries(demo.links)) console.log(`  ${role.padEnd(9)} ${link}`);
  }
  console.log(`\nCreate another room: ADMIN_TOKEN=... npm run room -- --url ${app.url}\n`);
}

main().catch((error: unknown) => {
  console.error('gridroom: failed to start:', error);
  process.exit(1);
});
