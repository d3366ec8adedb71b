import type { Db, DbTx } from '../../db/client';
import { Prisma } from '../../db/client';
import { BUILT_IN_PROFILES } from '../../connectors/hcm/profiles';
import { parseProfileDefinition, type ProfileDefinition } from '../../connectors/hcm/profile';
import { canonicalJson } from '../../domain/canonical-json';
import { InvalidRequest, NotFound, UnknownReference } from '../../domain/errors';
import { recordAudit, type Actor } from '../audit/trail';

/**
 * Import profiles: how a tenant's files map to trainhub's records. The built-in ones (Workday RaaS,
 * SuccessFactors, Oracle HCM, BambooHR, a unified HRIS, generic CSV, an LMS transcript) need no
 * setting up; a tenant saves its own under a name — a new version whenever the definition changes —
 * and its latest version of a name is what a run takes (it shadows a built-in of the same name).
 */

export interface ResolvedProfile {
  name: string;
  /** The tenant's version; null for a built-in. */
  version: number | null;
  builtIn: boolean;
  definition: ProfileDefinition;
}

export interface ProfileSummary {
  name: string;
  kind: 'people' | 'transcript';
  format: string;
  /** The `source` people and completions of this profile are recorded under (e.g. workday). */
  source: string;
  version: number | null;
  builtIn: boolean;
  createdAt: string | null;
}

export interface ProfileView extends ProfileSummary {
  definition: ProfileDefinition;
}

// ─── What a run needs to know of a definition ─────────────────────────────────────────────────

export function profileKind(definition: ProfileDefinition): 'people' | 'transcript' {
  return definition.kind;
}

/** csv or json: which Content-Type a file for this profile has. */
export function profileFormat(definition: ProfileDefinition): 'csv' | 'json' {
  return definition.format;
}

/**
 * The source trainhub records the profile's people (and completions) under: the system it names
 * (e.g. workday), else the profile's name.
 */
export function profileSource(definition: ProfileDefinition, profileName: string): string {
  return definition.system ?? profileName;
}

// ─── Resolving and reading ─────────────────────────────────────────────────────────────────────

/** The tenant's latest version of `name`, else the built-in of that name; 422 when neither exists. */
export async function resolveProfile(db: DbTx, tenantId: string, name: string): Promise<ResolvedProfile> {
  const own = await latestVersion(db, tenantId, name);
  if (own) return { name, version: own.version, builtIn: false, definition: own.definition as unknown as ProfileDefinition };
  const builtIn = Object.hasOwn(BUILT_IN_PROFILES, name) ? BUILT_IN_PROFILES[name] : undefined;
  if (builtIn) return { name, version: null, builtIn: true, definition: builtIn };
  throw new UnknownReference('profile', name);
}

/** Built-in profiles and the tenant's (each at its latest version), by name. */
export async function listImportProfiles(db: DbTx, tenantId: string): Promise<ProfileSummary[]> {
  const own = await db.$queryRaw<{ name: string; version: number; definition: Prisma.JsonValue; created_at: Date }[]>`
    SELECT DISTINCT ON (name) name, version, definition, created_at
      FROM import_profile WHERE tenant_id = ${tenantId}::uuid
     ORDER BY name, version DESC`;
  const byName = new Map<string, ProfileSummary>();
  for (const [name, definition] of Object.entries(BUILT_IN_PROFILES)) byName.set(name, summaryOf({ name, version: null, builtIn: true, definition }, null));
  for (const row of own) {
    byName.set(row.name, summaryOf({ name: row.name, version: row.version, builtIn: false, definition: row.definition as unknown as ProfileDefinition }, row.created_at));
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** One profile with its definition: the tenant's latest (or a given) version, else the built-in. */
export async function getImportProfile(db: DbTx, tenantId: string, name: string, version?: number): Promise<ProfileView> {
  if (version !== undefined) {
    const row = await db.importProfile.findUnique({ where: { tenantId_name_version: { tenantId, name, version } } });
    if (!row) throw new NotFound('import profile', `${name} version ${version}`);
    return viewOf({ name, version, builtIn: false, definition: row.definition as unknown as ProfileDefinition }, row.createdAt);
  }
  const own = await latestVersion(db, tenantId, name);
  if (own) return viewOf({ name, version: own.version, builtIn: false, definition: own.definition as unknown as ProfileDefinition }, own.createdAt);
  const builtIn = Object.hasOwn(BUILT_IN_PROFILES, name) ? BUILT_IN_PROFILES[name] : undefined;
  if (!builtIn) throw new NotFound('import profile', name);
  return viewOf({ name, version: null, builtIn: true, definition: builtIn }, null);
}

// ─── Saving ────────────────────────────────────────────────────────────────────────────────────

/**
 * Saves a definition under `name`: validated whole first (a 400 names each problem's path), then a
 * new version when it differs from the latest (`created`), or the latest as it is when it does not.
 * Versions of one name are numbered under a lock, so two saves at once make two versions, not a clash.
 */
export async function saveImportProfile(db: Db, tenantId: string, actor: Actor, name: string, json: unknown): Promise<{ profile: ProfileView; created: boolean }> {
  const parsed = parseProfileDefinition(json);
  if (!parsed.ok) {
    const problems = parsed.problems.map((p) => ({ field: ['body', ...(p.path ? [p.path] : [])].join('.'), message: p.message }));
    throw new InvalidRequest(`Invalid import profile: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, problems);
  }
  const definition = parsed.definition;
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`import_profile:${tenantId}:${name}`}, 0))`;
    const latest = await latestVersion(tx, tenantId, name);
    if (latest && canonicalJson(latest.definition) === canonicalJson(definition)) {
      return { profile: viewOf({ name, version: latest.version, builtIn: false, definition: latest.definition as unknown as ProfileDefinition }, latest.createdAt), created: false };
    }
    const row = await tx.importProfile.create({
      data: { tenantId, name, version: (latest?.version ?? 0) + 1, kind: profileKind(definition), definition: definition as unknown as Prisma.InputJsonValue },
    });
    await recordAudit(tx, tenantId, actor, {
      action: 'import_profile.saved',
      entityType: 'import_profile',
      entityId: row.id,
      data: { name, version: row.version, kind: row.kind },
    });
    return { profile: viewOf({ name, version: row.version, builtIn: false, definition }, row.createdAt), created: true };
  });
}

async function latestVersion(db: DbTx, tenantId: string, name: string) {
  return db.importProfile.findFirst({ where: { tenantId, name }, orderBy: { version: 'desc' } });
}

function summaryOf(profile: ResolvedProfile, createdAt: Date | null): ProfileSummary {
  const { definition } = profile;
  return {
    name: profile.name,
    kind: profileKind(definition),
    format: profileFormat(definition),
    source: profileSource(definition, profile.name),
    version: profile.version,
    builtIn: profile.builtIn,
    createdAt: createdAt?.toISOString() ?? null,
  };
}

function viewOf(profile: ResolvedProfile, createdAt: Date | null): ProfileView {
  return { ...summaryOf(profile, createdAt), definition: profile.definition };
}
