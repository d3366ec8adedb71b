import type { Db, DbTx } from '../../db/client';
import { NotFound, UnknownReference } from '../../domain/errors';
import type { ExpiryBase } from '../../generated/prisma/enums';
import type { Actor } from '../audit/trail';
import { auditChange, byKeyOrId, decodeCursor, inCatalogTransaction, sameView, toPage, type Page, type PageRequest } from '../catalog/common';
import type { Saved } from '../documents/catalog';
import { queueCertificationWakeUps } from '../processes/commands';
import type { CommandDelivery } from '../processes/operations';

type ProgramRef = { id: string; key: string; title: string };

/** A certification as the API shows it: the paths to it and the rules of its validity. */
export type CertificationView = {
  id: string;
  key: string;
  title: string;
  initialProgram: ProgramRef;
  recertificationProgram: ProgramRef;
  activePeriod: string;
  windowPeriod: string;
  reminderDaysBeforeExpiry: number[];
  expiryBase: ExpiryBase;
  fixedExpiryDay: string | null;
  minimumActivePeriod: string | null;
  dueOffsetDays: number;
  createdAt: string;
};

/** What a PUT gives, already validated and in canonical form (periods as formatPeriod writes them, reminders deduplicated, latest first). */
export interface CertificationInput {
  title: string;
  initialProgramKey: string;
  /** Defaults to the initial program. */
  recertificationProgramKey?: string;
  activePeriod: string;
  windowPeriod: string;
  reminderDaysBeforeExpiry: number[];
  expiryBase: ExpiryBase;
  fixedExpiryDay: string | null;
  minimumActivePeriod: string | null;
  dueOffsetDays: number;
}

const withPrograms = {
  initialProgram: { select: { id: true, key: true, title: true } },
  recertificationProgram: { select: { id: true, key: true, title: true } },
} as const;

type CertificationRow = {
  id: string;
  key: string;
  title: string;
  activePeriod: string;
  windowPeriod: string;
  reminderDaysBeforeExpiry: number[];
  expiryBase: ExpiryBase;
  fixedExpiryDay: string | null;
  minimumActivePeriod: string | null;
  dueOffsetDays: number;
  createdAt: Date;
  initialProgram: ProgramRef;
  recertificationProgram: ProgramRef;
};

function view(row: CertificationRow): CertificationView {
  return {
    id: row.id,
    key: row.key,
    title: row.title,
    initialProgram: { id: row.initialProgram.id, key: row.initialProgram.key, title: row.initialProgram.title },
    recertificationProgram: { id: row.recertificationProgram.id, key: row.recertificationProgram.key, title: row.recertificationProgram.title },
    activePeriod: row.activePeriod,
    windowPeriod: row.windowPeriod,
    reminderDaysBeforeExpiry: row.reminderDaysBeforeExpiry,
    expiryBase: row.expiryBase,
    fixedExpiryDay: row.fixedExpiryDay,
    minimumActivePeriod: row.minimumActivePeriod,
    dueOffsetDays: row.dueOffsetDays,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The tenant's certifications in key order. */
export async function listCertifications(db: DbTx, tenantId: string, page: PageRequest): Promise<Page<CertificationView>> {
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor, 1)[0];
  const rows = await db.certification.findMany({
    where: { tenantId, ...(after === undefined ? {} : { key: { gt: after } }) },
    include: withPrograms,
    orderBy: { key: 'asc' },
    take: page.limit + 1,
  });
  return toPage(rows.map(view), page.limit, (certification) => [certification.key]);
}

export async function getCertification(db: DbTx, tenantId: string, ref: string): Promise<CertificationView> {
  return view(await findCertification(db, tenantId, ref));
}

/** A certification's id and key (by key or id), or 404. */
export async function findCertificationKey(db: DbTx, tenantId: string, ref: string): Promise<{ id: string; key: string; title: string }> {
  const certification = await db.certification.findFirst({ where: byKeyOrId(tenantId, ref), select: { id: true, key: true, title: true } });
  if (!certification) throw new NotFound('certification', ref);
  return certification;
}

/**
 * Creates the certification `key` or replaces its title, paths and rules. An unknown program is 422
 * unknown_program. A replacement that changes nothing writes and audits nothing; one that changes
 * something wakes, in the same transaction, the process of everyone whose certification is under
 * way (status not inactive), so windows, reminders and expiry follow the rules as saved.
 */
export async function putCertification(
  db: Db,
  delivery: CommandDelivery,
  tenantId: string,
  actor: Actor,
  key: string,
  input: CertificationInput,
): Promise<Saved<CertificationView>> {
  const { saved, commandIds } = await inCatalogTransaction(db, tenantId, async (tx) => {
    const initialProgramId = await resolveProgram(tx, tenantId, input.initialProgramKey);
    const recertificationProgramId =
      input.recertificationProgramKey === undefined || input.recertificationProgramKey === input.initialProgramKey
        ? initialProgramId
        : await resolveProgram(tx, tenantId, input.recertificationProgramKey);
    const fields = {
      title: input.title,
      initialProgramId,
      recertificationProgramId,
      activePeriod: input.activePeriod,
      windowPeriod: input.windowPeriod,
      reminderDaysBeforeExpiry: input.reminderDaysBeforeExpiry,
      expiryBase: input.expiryBase,
      fixedExpiryDay: input.fixedExpiryDay,
      minimumActivePeriod: input.minimumActivePeriod,
      dueOffsetDays: input.dueOffsetDays,
    };
    const existing = await tx.certification.findUnique({ where: { tenantId_key: { tenantId, key } }, include: withPrograms });
    const before = existing ? view(existing) : null;
    let id: string;
    if (existing) {
      const unchanged = sameView(
        [existing.title, existing.initialProgramId, existing.recertificationProgramId, existing.activePeriod, existing.windowPeriod, existing.reminderDaysBeforeExpiry,
          existing.expiryBase, existing.fixedExpiryDay, existing.minimumActivePeriod, existing.dueOffsetDays],
        [fields.title, fields.initialProgramId, fields.recertificationProgramId, fields.activePeriod, fields.windowPeriod, fields.reminderDaysBeforeExpiry,
          fields.expiryBase, fields.fixedExpiryDay, fields.minimumActivePeriod, fields.dueOffsetDays],
      );
      if (unchanged) return { saved: { created: false, view: before! }, commandIds: [] };
      id = existing.id;
      await tx.certification.update({ where: { id }, data: fields });
    } else {
      id = (await tx.certification.create({ data: { tenantId, key, ...fields }, select: { id: true } })).id;
    }
    const after = view(await findCertification(tx, tenantId, id));
    await auditChange(tx, tenantId, actor, { entityType: 'certification', entityId: id, action: before ? 'updated' : 'created', before, after });
    // The processes under way read the rules again.
    const underWay = before
      ? await tx.certificationStatus.findMany({ where: { tenantId, certificationId: id, state: { not: 'inactive' } }, select: { personId: true } })
      : [];
    const commandIds = await queueCertificationWakeUps(tx, delivery.taskQueue, tenantId, underWay.map((s) => ({ personId: s.personId, certificationId: id })));
    return { saved: { created: before === null, view: after }, commandIds };
  });
  await delivery.deliverNow(commandIds);
  return saved;
}

async function findCertification(db: DbTx, tenantId: string, ref: string): Promise<CertificationRow> {
  const certification = await db.certification.findFirst({ where: byKeyOrId(tenantId, ref), include: withPrograms });
  if (!certification) throw new NotFound('certification', ref);
  return certification;
}

async function resolveProgram(db: DbTx, tenantId: string, key: string): Promise<string> {
  const program = await db.program.findUnique({ where: { tenantId_key: { tenantId, key } }, select: { id: true } });
  if (!program) throw new UnknownReference('program', key);
  return program.id;
}
