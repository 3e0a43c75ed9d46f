/**
 * The server's configuration, parsed once from the environment with zod. A bad
 * value stops the start with a message that names the variable and what it
 * must be; secrets are never logged as they are.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseRetention, type RetentionPolicy } from './notary/retention';

const port = z.coerce.number().int().min(0).max(65535);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const secret = z.string().min(32, 'must be at least 32 characters');
// 32 bytes for AES-256, written as 64 hex digits or as base64.
const dataKey = z
  .string()
  .transform((s) => (/^[0-9a-fA-F]{64}$/.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64')))
  .refine((key) => key.length === 32, 'must be 32 bytes, as 64 hex digits or base64 (openssl rand -base64 32)');

const envSchema = z
  .object({
    PORT: port.default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
    RTC_LISTEN_IP: z.union([z.ipv4(), z.ipv6()]).default('127.0.0.1'),
    RTC_ANNOUNCED_IP: z.string().min(1).optional(),
    RTC_MIN_PORT: port.default(40000),
    RTC_MAX_PORT: port.default(49999),
    MEDIA_WORKERS: z.coerce.number().int().min(1).max(64).default(os.availableParallelism()),
    MEDIASOUP_WORKER_BIN: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TOKEN_SECRET: secret.optional(),
    ADMIN_TOKEN: secret.optional(),
    LINK_TTL_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 365)
      .default(24 * 7),
    DEMO_ROOM: bool.default(true),
    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    DATA_DIR: z.string().min(1).default('.data'),
    DATA_KEY: dataKey.optional(),
    SESSION_TTL_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 30)
      .default(12),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_:.-]{0,40}$/, 'must be letters, digits, "_", ":", "." or "-"')
      .default('gridroom:'),
    EXPERT_HEARTBEAT_TTL_SECONDS: z.coerce.number().min(3).max(300).default(15),
    EXPERT_OFFER_TIMEOUT_SECONDS: z.coerce.number().min(5).max(300).default(20),
    EXPERT_RING_AT_ONCE: z.coerce.number().int().min(1).max(10).default(1),
    NOTARY_RETENTION_YEARS: z.coerce.number().int().min(1).max(100).default(10),
    // JURISDICTION=YEARS,...: checked by parseRetention below, so a typo cannot shorten retention.
    NOTARY_RETENTION: z.string().max(2000).default(''),
    NOTARY_OFFICE: z.string().trim().min(1).max(100).default('Gridroom'),
  })
  .refine((env) => env.RTC_MIN_PORT <= env.RTC_MAX_PORT, {
    message: 'RTC_MIN_PORT must not be above RTC_MAX_PORT',
    path: ['RTC_MIN_PORT'],
  })
  .refine((env) => env.RTC_LISTEN_IP !== '0.0.0.0' || env.RTC_ANNOUNCED_IP, {
    message: 'is required when RTC_LISTEN_IP is 0.0.0.0 (browsers need an address they can reach)',
    path: ['RTC_ANNOUNCED_IP'],
  })
  // Every server on one database must share the key, so none may make up its own.
  .refine((env) => !env.DATABASE_URL || env.DATA_KEY, {
    message: 'is required when DATABASE_URL is set (the key of protected fields, shared by every server)',
    path: ['DATA_KEY'],
  });

export interface Config {
  port: number;
  host: string;
  /** Base of the links we hand out; defaults to http://localhost:PORT. */
  publicUrl: string | undefined;
  rtc: {
    listenIp: string;
    announcedAddress: string | undefined;
    minPort: number;
    maxPort: number;
    workers: number;
    workerBin: string | undefined;
  };
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** HMAC key for join links. Generated per process when not configured (links then die with it). */
  tokenSecret: string;
  /** Bearer token for the admin API. Generated per process when not configured. */
  adminToken: string;
  /** Which secrets were generated rather than configured (the entry point warns about them). */
  generatedSecrets: ('TOKEN_SECRET' | 'ADMIN_TOKEN')[];
  linkTtlSeconds: number;
  /** Create one room at start-up and print its links (the quick start uses it). */
  demoRoom: boolean;
  database: {
    /** PostgreSQL to use; when absent, the embedded PGlite database in dataDir. */
    url: string | undefined;
    /** Absolute folder of the embedded database and its generated data key. */
    dataDir: string;
  };
  /** AES-256 key of protected fields (ID numbers); when absent, generated into dataDir (embedded only). */
  dataKey: Buffer | undefined;
  /** How long a staff login lasts. */
  sessionTtlSeconds: number;
  /** Expert presence (server/presence). */
  presence: {
    /** Redis shared by every node; the in-process store when absent (one machine). */
    redisUrl: string | undefined;
    /** Prefix of every Redis key, so deployments can share a Redis. */
    prefix: string;
    /** An expert without a heartbeat for this long is offline. */
    heartbeatTtlMs: number;
    /** How long one call rings before the request moves on. */
    offerTimeoutMs: number;
    /** How many experts ring at once for one request. */
    ringAtOnce: number;
  };
  notary: {
    /** How long journal entries are kept: 10 years unless a jurisdiction says otherwise. */
    retention: RetentionPolicy;
    /** The notary office, as the notarial seal's organization and location. */
    office: string;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "not set", as in most shells' `FOO= cmd`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'env'}: ${issue.message}`));
  }
  const e = parsed.data;
  const generatedSecrets: Config['generatedSecrets'] = [];
  const orGenerate = (value: string | undefined, name: 'TOKEN_SECRET' | 'ADMIN_TOKEN'): string => {
    if (value) return value;
    generatedSecrets.push(name);
    return randomBytes(32).toString('base64url');
  };
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ''),
    rtc: {
      listenIp: e.RTC_LISTEN_IP,
      announcedAddress: e.RTC_ANNOUNCED_IP,
      minPort: e.RTC_MIN_PORT,
      maxPort: e.RTC_MAX_PORT,
      workers: e.MEDIA_WORKERS,
      workerBin: e.MEDIASOUP_WORKER_BIN,
    },
    logLevel: e.LOG_LEVEL,
    tokenSecret: orGenerate(e.TOKEN_SECRET, 'TOKEN_SECRET'),
    adminToken: orGenerate(e.ADMIN_TOKEN, 'ADMIN_TOKEN'),
    generatedSecrets,
    linkTtlSeconds: Math.round(e.LINK_TTL_HOURS * 3600),
    demoRoom: e.DEMO_ROOM,
    database: { url: e.DATABASE_URL, dataDir: path.resolve(e.DATA_DIR) },
    dataKey: e.DATA_KEY,
    sessionTtlSeconds: Math.round(e.SESSION_TTL_HOURS * 3600),
    presence: {
      redisUrl: e.REDIS_URL,
      prefix: e.REDIS_PREFIX,
      heartbeatTtlMs: Math.round(e.EXPERT_HEARTBEAT_TTL_SECONDS * 1000),
      offerTimeoutMs: Math.round(e.EXPERT_OFFER_TIMEOUT_SECONDS * 1000),
      ringAtOnce: e.EXPERT_RING_AT_ONCE,
    },
    notary: { retention: retentionOf(e.NOTARY_RETENTION_YEARS, e.NOTARY_RETENTION), office: e.NOTARY_OFFICE },
  };
}

function retentionOf(years: number, spec: string): RetentionPolicy {
  try {
    return parseRetention(years, spec);
  } catch (error) {
    throw new ConfigError([`NOTARY_RETENTION: ${(error as Error).message.replace(/^retention: /, '')}`]);
  }
}

/** The configuration as it may appear in a log line. */
export function loggableConfig(config: Config): Record<string, unknown> {
  const { tokenSecret: _t, adminToken: _a, dataKey, database, presence, ...rest } = config;
  const masked = (value: string | undefined) => {
    const url = value ? new URL(value) : undefined;
    if (url?.password) url.password = '***';
    return url?.toString();
  };
  return {
    ...rest,
    tokenSecret: '***',
    adminToken: '***',
    dataKey: dataKey ? '***' : undefined,
    database: { ...database, url: masked(database.url) },
    presence: { ...presence, redisUrl: masked(presence.redisUrl) },
  };
}
