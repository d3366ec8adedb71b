import type { Db } from '../db/client';
import type { Mailer } from '../mail/transport';

/** What the worker's activities are bound to. */
export interface ActivityDeps {
  db: Db;
  mailer: Mailer;
  publicUrl: string;
}

export interface PersonRef {
  tenantId: string;
  personId: string;
}
