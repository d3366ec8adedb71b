import type { Db } from '../db/client';
import { SCOPES } from '../domain/scopes';
import { createApiClient } from '../services/identity/api-keys';

/** The well-known key of the local demo tenant; the embedded default only, never production. */
export const DEMO_API_KEY = 'th_demo00000000_local-development-key-not-secret';

const ROLES = [
  { key: 'nurse', name: 'Registered nurse' },
  { key: 'warehouse-operator', name: 'Warehouse operator' },
];
const COURSES = [
  { key: 'hipaa-basics', title: 'HIPAA basics' },
  { key: 'infection-control', title: 'Infection control' },
  { key: 'hand-hygiene', title: 'Hand hygiene' },
  { key: 'forklift-safety', title: 'Forklift safety' },
];
const PROGRAMS = [
  { key: 'privacy', title: 'Patient privacy', courses: ['hipaa-basics'] },
  { key: 'clinical-safety', title: 'Clinical safety', courses: ['infection-control', 'hand-hygiene'] },
  { key: 'warehouse-safety', title: 'Warehouse safety', courses: ['forklift-safety'] },
];
const REQUIREMENTS = [
  { role: 'nurse', program: 'privacy', dueOffsetDays: 14, mandatory: true },
  { role: 'nurse', program: 'clinical-safety', dueOffsetDays: 30, mandatory: true },
  { role: 'warehouse-operator', program: 'warehouse-safety', dueOffsetDays: 7, mandatory: true },
];

/** Creates (or leaves as it is) a demo tenant with roles, programs, a training matrix and an API key. */
export async function seedDemoTenant(db: Db): Promise<{ tenantId: string; apiKey: string }> {
  const tenant = await db.tenant.upsert({ where: { slug: 'demo' }, create: { slug: 'demo', name: 'Demo Health & Logistics' }, update: {} });
  const tenantId = tenant.id;
  await db.role.createMany({ data: ROLES.map((r) => ({ tenantId, ...r })), skipDuplicates: true });
  await db.course.createMany({ data: COURSES.map((c) => ({ tenantId, ...c })), skipDuplicates: true });
  await db.program.createMany({ data: PROGRAMS.map(({ key, title }) => ({ tenantId, key, title })), skipDuplicates: true });

  const [roles, courses, programs] = await Promise.all([
    db.role.findMany({ where: { tenantId } }),
    db.course.findMany({ where: { tenantId } }),
    db.program.findMany({ where: { tenantId } }),
  ]);
  const id = (rows: { key: string; id: string }[], key: string) => rows.find((row) => row.key === key)!.id;
  await db.programCourse.createMany({
    data: PROGRAMS.flatMap((p) => p.courses.map((c, position) => ({ tenantId, programId: id(programs, p.key), courseId: id(courses, c), position }))),
    skipDuplicates: true,
  });
  // Requirements have no natural key (a role may hold several rules for a program), so seed them once.
  const seeded = await db.requirement.count({ where: { tenantId } });
  if (seeded === 0) await db.requirement.createMany({
    data: REQUIREMENTS.map((r) => ({ tenantId, roleId: id(roles, r.role), programId: id(programs, r.program), mandatory: r.mandatory, dueOffsetDays: r.dueOffsetDays })),
  });
  const { key, clientId } = await createApiClient(db, { tenantId, name: 'demo-integration', scopes: SCOPES, key: DEMO_API_KEY });
  // The demo key always works locally: every scope there is now, and not revoked (someone may have tried revocation on it).
  await db.apiClient.update({ where: { id: clientId }, data: { scopes: [...SCOPES], revokedAt: null } });
  return { tenantId, apiKey: key };
}
