import { z } from 'zod';

export const DEFAULT_DATABASE_URL = 'postgresql://trainhub:trainhub@127.0.0.1:5432/trainhub';

const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
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
  /** Signs approvers' e-mailed links and inbox sessions (HMAC-SHA256). Required in production. */
  APPROVAL_LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** How long an e-mailed approval or sign-in link stays valid. */
  APPROVAL_LINK_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(72),
  /** How long an approver stays signed in to the inbox page. */
  APPROVER_SESSION_HOURS: z.coerce.number().int().min(1).max(168).default(12),
}).superRefine((config, ctx) => {
  if (config.NODE_ENV === 'production' && !config.APPROVAL_LINK_SECRET) {
    ctx.addIssue({ code: 'custom', path: ['APPROVAL_LINK_SECRET'], message: 'must be set in production (a random string of 32+ characters)' });
  }
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
