import type { Db } from '../db/client';
import { Prisma } from '../db/client';
import { UnknownReference } from '../domain/errors';
import { recordAudit, type Actor } from './audit';

/** A hire as the HR system reported it, already normalised by a connector. */
export interface HireCommand {
  source: string;
  eventId: string;
  occurredAt?: Date;
  person: {
    externalId: string;
    email: string;
    name: string;
    department?: string;
    managerExternalId?: string;
    hireDate: Date;
    roleKeys: string[];
  };
}

export interface HireOutcome {
  personId: string;
  /** True when this exact event (source + event id) was delivered before. */
  duplicate: boolean;
}

/**
 * Records a hire: the event once, the person upserted by (source, externalId), their roles set to
 * exactly those named. A repeated delivery of the same event changes nothing.
 */
export async function recordHire(db: Db, tenantId: string, actor: Actor, command: HireCommand): Promise<HireOutcome> {
  const { person } = command;
  const roles = await db.role.findMany({ where: { tenantId, key: { in: person.roleKeys } }, select: { id: true, key: true } });
  const missing = person.roleKeys.filter((key) => !roles.some((role) => role.key === key));
  if (missing.length > 0) throw new UnknownReference('role', missing);

  const previous = await findEvent(db, tenantId, command);
  if (previous) return { personId: previous.personId, duplicate: true };

  try {
    return await db.$transaction(async (tx) => {
      const manager = person.managerExternalId
        ? await tx.person.findUnique({
            where: { tenantId_source_externalId: { tenantId, source: command.source, externalId: person.managerExternalId } },
            select: { id: true },
          })
        : null;
      const fields = {
        email: person.email,
        name: person.name,
        department: person.department ?? null,
        managerExternalId: person.managerExternalId ?? null,
        managerId: manager?.id ?? null,
        hireDate: person.hireDate,
        status: 'active' as const,
      };
      const saved = await tx.person.upsert({
        where: { tenantId_source_externalId: { tenantId, source: command.source, externalId: person.externalId } },
        create: { tenantId, source: command.source, externalId: person.externalId, ...fields },
        update: fields,
        select: { id: true },
      });
      const roleIds = roles.map((role) => role.id);
      await tx.personRole.deleteMany({ where: { tenantId, personId: saved.id, roleId: { notIn: roleIds } } });
      await tx.personRole.createMany({
        data: roleIds.map((roleId) => ({ tenantId, personId: saved.id, roleId })),
        skipDuplicates: true,
      });
      // Reports that arrived before their manager now point at them.
      await tx.person.updateMany({
        where: { tenantId, source: command.source, managerExternalId: person.externalId, managerId: null },
        data: { managerId: saved.id },
      });
      await tx.hrEvent.create({
        data: {
          tenantId,
          source: command.source,
          externalId: command.eventId,
          type: 'hire',
          personId: saved.id,
          payload: JSON.parse(JSON.stringify(command)) as Prisma.InputJsonValue,
        },
      });
      await recordAudit(tx, tenantId, actor, {
        action: 'person.hired',
        entityType: 'person',
        entityId: saved.id,
        data: { source: command.source, eventId: command.eventId, roles: person.roleKeys },
      });
      return { personId: saved.id, duplicate: false };
    });
  } catch (error) {
    // Two concurrent deliveries of one event: the loser sees the winner's record.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const winner = await findEvent(db, tenantId, command);
      if (winner) return { personId: winner.personId, duplicate: true };
    }
    throw error;
  }
}

function findEvent(db: Db, tenantId: string, command: HireCommand) {
  return db.hrEvent.findUnique({
    where: { tenantId_source_externalId: { tenantId, source: command.source, externalId: command.eventId } },
    select: { personId: true },
  });
}
