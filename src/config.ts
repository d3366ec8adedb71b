import { z } from 'zod';

export const DEFAULT_DATABASE_URL = 'postgresql://trainhub:trainhub@127.0.0.1:5432/trainhub';

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** How many processes serve the API on PORT (node:cluster); one per core the API may use. */
  API_PROCESSES: z.coerce.number().int().min(1).max(64).default(1),
  /** How many workflows a worker keeps in memory between their tasks (its memory's main bound). */
  WORKER_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(1000),
  /** Requests one API key may make per minute, per API process (429 with Retry-After beyond). */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(3000),
  /** Where a worker serves GET /metrics (Prometheus); none when unset. The API serves it on its own port. */
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** The interface the API listens on: this machine only unless told otherwise (containers set 0.0.0.0). */
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url().default('http://localhost:3000'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().startsWith('postgres').default(DEFAULT_DATABASE_URL),
  /** When unset, the dev launcher starts a local Temporal dev server on 127.0.0.1:7233. */
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('trainhub'),
  /** smtp://user:pass@host:port; when unset, the dev launcher starts a local mail catcher. */
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
  MAIL_FROM: z.string().min(3).default('trainhub <no-reply@trainhub.local>'),
  /** Signs approvers' e-mailed links and inbox sessions (HMAC-SHA256). Required by every command but `dev`. */
  APPROVAL_LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** How long an e-mailed approval or sign-in link stays valid. */
  APPROVAL_LINK_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(72),
  /** How long the link in a learner's e-mails to what they owe works. */
  LEARNER_LINK_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** Where imported SCORM packages' files live (a folder per tenant and package). */
  SCORM_STORAGE_DIR: z.string().min(1).default('.data/scorm'),
  /** The largest SCORM zip an upload may send. */
  SCORM_MAX_UPLOAD_MB: z.coerce.number().int().min(1).max(100_000).default(2048),
  /** Caps on what a SCORM zip may hold once unpacked; beyond any of them the import is refused. */
  SCORM_MAX_ENTRIES: z.coerce.number().int().min(1).max(1_000_000).default(20_000),
  SCORM_MAX_FILE_MB: z.coerce.number().int().min(1).max(100_000).default(1024),
  SCORM_MAX_PACKAGE_MB: z.coerce.number().int().min(1).max(1_000_000).default(4096),
  /** Uncompressed ÷ compressed size beyond which a large entry is taken for a zip bomb. */
  SCORM_MAX_COMPRESSION_RATIO: z.coerce.number().min(2).max(100_000).default(200),
  /** How long a launch link to the SCORM player works; the player's own session then lasts the day. */
  SCORM_LAUNCH_LINK_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60),
  /** How long an approver stays signed in to the inbox page. */
  APPROVER_SESSION_HOURS: z.coerce.number().int().min(1).max(168).default(12),
  /** The largest HR file or LMS transcript an import takes (API and CLI); beyond it the upload is refused (413). */
  IMPORT_MAX_UPLOAD_MB: z.coerce.number().int().min(1).max(100_000).default(200),
  /**
   * Encrypts the secrets trainhub keeps for other systems (HCM connectors' passwords and client
   * secrets): 32 random bytes in base64 (`openssl rand -base64 32`). Required by every command but `dev`.
   */
  SECRETS_KEY: z
    .string()
    .refine((key) => /^[A-Za-z0-9+/]+={0,2}$/.test(key) && Buffer.from(key, 'base64').length === 32, 'must be 32 bytes in base64 (openssl rand -base64 32)')
    .optional(),
  /** The id (1–255) written with every secret sealed under SECRETS_KEY; a new key takes a new id. */
  SECRETS_KEY_ID: z.coerce.number().int().min(1).max(255).default(1),
  /** Earlier keys that still open secrets sealed before a rotation: `<id>:<base64 key>,…` (they are sealed again under the new key as they are used). */
  SECRETS_PREVIOUS_KEYS: z.string().regex(/^\s*\d{1,3}:[A-Za-z0-9+/]+={0,2}\s*(,\s*\d{1,3}:[A-Za-z0-9+/]+={0,2}\s*)*$/, 'must be <id>:<base64 key>, comma-separated').optional(),
  /** HCM connectors may pull plain http:// from this machine (localhost): for development and tests only. */
  HCM_ALLOW_LOOPBACK_URLS: z.stringbool().default(false),
});

export type Config = z.infer<typeof configSchema>;

/** Parses the environment once; a wrong variable stops start-up with its name. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}
