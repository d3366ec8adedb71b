import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/client';
import { SCOPES, type Scope } from '../../src/domain/scopes';
import { createApiClient } from '../../src/services/identity/api-keys';

/** A tenant of the test's own, so tests never see each other's data and run in any order. */
export async function createTenant(db: Db, scopes: readonly Scope[] = SCOPES) {
  const slug = `t-${randomUUID()}`;
  const tenant = await db.tenant.create({ data: { slug, name: `Tenant ${slug}` } });
  const { key } = await createApiClient(db, { tenantId: tenant.id, name: 'test-integration', scopes });
  return { tenantId: tenant.id, apiKey: key };
}

export interface CatalogSpec {
  /** role key → the programs it requires, with their due offsets */
  roles: Record<string, { program: string; dueOffsetDays: number; mandatory?: boolean }[]>;
  /** program key → its course keys, in order */
  programs: Record<string, string[]>;
}

/** Creates roles, courses, programs and the training matrix described by `spec`. */
export async function givenCatalog(db: Db, tenantId: string, spec: CatalogSpec): Promise<void> {
  const courseKeys = [...new Set(Object.values(spec.programs).flat())];
  await db.course.createMany({ data: courseKeys.map((key) => ({ tenantId, key, title: titleOf(key) })) });
  await db.role.createMany({ data: Object.keys(spec.roles).map((key) => ({ tenantId, key, name: titleOf(key) })) });
  await db.program.createMany({ data: Object.keys(spec.programs).map((key) => ({ tenantId, key, title: titleOf(key) })) });
  const [courses, roles, programs] = await Promise.all([
    db.course.findMany({ where: { tenantId } }),
    db.role.findMany({ where: { tenantId } }),
    db.program.findMany({ where: { tenantId } }),
  ]);
  const id = (rows: { id: string; key: string }[], key: string) => rows.find((row) => row.key === key)!.id;
  await db.programCourse.createMany({
    data: Object.entries(spec.programs).flatMap(([program, keys]) =>
      keys.map((course, position) => ({ tenantId, programId: id(programs, program), courseId: id(courses, course), position })),
    ),
  });
  await db.requirement.createMany({
    data: Object.entries(spec.roles).flatMap(([role, rules]) =>
      rules.map((rule) => ({
        tenantId,
        roleId: id(roles, role),
        programId: id(programs, rule.program),
        dueOffsetDays: rule.dueOffsetDays,
        mandatory: rule.mandatory ?? true,
      })),
    ),
  });
}

/** "forklift-safety" → "Forklift Safety" */
export function titleOf(key: string): string {
  return key.replace(/(^|-)(\w)/g, (_m, dash: string, c: string) => `${dash ? ' ' : ''}${c.toUpperCase()}`);
}

export function hireEvent(overrides: { externalId?: string; roles?: string[]; hireDate?: string; eventId?: string; email?: string } = {}) {
  const externalId = overrides.externalId ?? `E-${randomUUID().slice(0, 8)}`;
  return {
    type: 'hire',
    eventId: overrides.eventId ?? `evt-${randomUUID()}`,
    source: 'workday',
    person: {
      externalId,
      email: overrides.email ?? `${externalId.toLowerCase()}@example.com`,
      name: 'Ada Lovelace',
      department: 'Cardiology',
      hireDate: overrides.hireDate ?? daysFromToday(0),
      roles: overrides.roles ?? ['nurse'],
    },
  };
}

/** YYYY-MM-DD, `days` after today (UTC). */
export function daysFromToday(days: number): string {
  const today = new Date();
  return new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + days)).toISOString().slice(0, 10);
}

export function completionReport(personId: string, courseKey: string, overrides: { externalId?: string; passed?: boolean } = {}) {
  return {
    source: 'acme-lms',
    externalId: overrides.externalId ?? `cmp-${randomUUID()}`,
    person: { id: personId },
    courseKey,
    completedAt: new Date().toISOString(),
    passed: overrides.passed ?? true,
    score: 92,
  };
}
