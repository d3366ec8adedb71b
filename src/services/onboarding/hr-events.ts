import type { Db, DbTx } from '../../db/client';
import { Prisma } from '../../db/client';
import { addDays, daysBetween, isoDate, toCalendarDate } from '../../domain/dates';
import { canonicalJson } from '../../domain/canonical-json';
import { Conflict, UnknownReference } from '../../domain/errors';
import { onboardingWorkflowId } from '../../domain/workflow-ids';
import { recordAudit, type Actor } from '../audit/trail';
import { certificationCommandsFor } from '../certifications/required';
import { documentCommandsFor } from '../documents/events';
import { endTrainingProcess, queueProcessCommands, rerouteRenewalProcess, wakeTrainingProcess, type ProcessCommand } from '../processes/commands';
import type { CommandDelivery } from '../processes/operations';
import { findRequestsToReroute } from '../renewals/requests';
import { PERSON_TERMINATED, type MatrixSyncResult } from './assignment-sync';
import { OPEN_STATUSES, refreshPersonAssignments } from './assignments';

interface EventEnvelope {
  source: string;
  eventId: string;
  occurredAt?: Date;
}

/** HR events as connectors normalise them. `undefined` leaves a field as it is; `null` clears it. */
export type HrCommand =
  | (EventEnvelope & {
      type: 'hire';
      person: {
        externalId: string;
        email: string;
        name: string;
        department: string | null;
        location: string | null;
        managerExternalId: string | null;
        hireDate: Date;
        roleKeys: string[];
      };
    })
  | (EventEnvelope & {
      type: 'transfer';
      person: {
        externalId: string;
        roleKeys?: string[];
        department?: string | null;
        location?: string | null;
        managerExternalId?: string | null;
        email?: string;
        name?: string;
      };
    })
  | (EventEnvelope & { type: 'leave' | 'return' | 'terminate'; person: { externalId: string } });

export interface AssignmentChanges {
  assigned: number;
  reassigned: number;
  waived: number;
  cancelled: number;
  /** Due dates moved on by a leave (a return, where the tenant extends due dates for leave). */
  extended: number;
}

export interface HrOutcome {
  personId: string;
  type: HrCommand['type'];
  /** The person's training process, which the event starts or tells. */
  workflowId: string;
  /** True when this exact event (source + event id) was delivered before: nothing changed. */
  duplicate: boolean;
  changes: AssignmentChanges;
}

const AUDIT_ACTIONS: Record<HrCommand['type'], string> = {
  hire: 'person.hired',
  transfer: 'person.transferred',
  leave: 'person.went_on_leave',
  return: 'person.returned',
  terminate: 'person.terminated',
};

const NO_CHANGES: AssignmentChanges = { assigned: 0, reassigned: 0, waived: 0, cancelled: 0, extended: 0 };

/**
 * Records an HR event once and applies it to the person and their assignments, together with the
 * commands for the processes it concerns (the person's training process; for a transfer or a
 * termination, the renewal approvals the person takes part in), in one transaction. Then the
 * commands are handed to the dispatcher. A repeated delivery of the same event changes nothing.
 */
export async function recordHrEvent(db: Db, delivery: CommandDelivery, tenantId: string, actor: Actor, command: HrCommand): Promise<HrOutcome> {
  const previous = await findEvent(db, tenantId, command);
  if (previous) return duplicateOf(tenantId, previous, command);

  const roleKeys = 'roleKeys' in command.person ? command.person.roleKeys : undefined;
  const roleIds = roleKeys ? await resolveRoles(db, tenantId, roleKeys) : undefined;
  let recorded: { outcome: HrOutcome; commandIds: bigint[] };
  try {
    recorded = await db.$transaction(async (tx) => {
      const { personId, changes } =
        command.type === 'hire'
          ? await applyHire(tx, tenantId, actor, command, roleIds!)
          : await applyToExistingPerson(tx, tenantId, actor, command, roleIds);
      await tx.hrEvent.create({
        data: {
          tenantId,
          source: command.source,
          externalId: command.eventId,
          type: command.type,
          personId,
          payload: asStored(command),
        },
      });
      await recordAudit(tx, tenantId, actor, {
        action: AUDIT_ACTIONS[command.type],
        entityType: 'person',
        entityId: personId,
        data: { source: command.source, eventId: command.eventId, person: JSON.parse(JSON.stringify(command.person)) as Prisma.InputJsonValue, changes: { ...changes } },
      });
      const commandIds = await queueProcessCommands(tx, delivery.taskQueue, await processCommandsFor(tx, tenantId, personId, command.type));
      return { outcome: { personId, type: command.type, workflowId: onboardingWorkflowId(tenantId, personId), duplicate: false, changes }, commandIds };
    });
  } catch (error) {
    // Two concurrent deliveries of one event: the loser sees the winner's record.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const winner = await findEvent(db, tenantId, command);
      if (winner) return duplicateOf(tenantId, winner, command);
    }
    throw error;
  }
  await delivery.deliverNow(recorded.commandIds);
  return recorded.outcome;
}

/** What the event asks of the processes: the person's own, and the renewal approvals that follow from their position. */
async function processCommandsFor(tx: DbTx, tenantId: string, personId: string, type: HrCommand['type']): Promise<ProcessCommand[]> {
  const commands = [type === 'terminate' ? endTrainingProcess(tenantId, personId) : wakeTrainingProcess(tenantId, personId, { welcome: type === 'hire' })];
  if (type === 'transfer' || type === 'terminate') {
    for (const renewal of await findRequestsToReroute(tx, tenantId, [personId])) commands.push(rerouteRenewalProcess(tenantId, renewal.workflowId, [personId]));
  }
  // Roles the person now holds may be touched by approved controlled documents.
  if (type === 'hire' || type === 'transfer' || type === 'return') commands.push(...(await documentCommandsFor(tx, tenantId, [personId])));
  // Certifications the person must hold now, and those whose process must stop (a transfer out, a leaver).
  commands.push(...(await certificationCommandsFor(tx, tenantId, [personId])));
  return commands;
}

/**
 * The same event delivered again is a duplicate (nothing changes); the same event id with different
 * content is a mistake the sender must hear about (409), not a change silently dropped.
 */
function duplicateOf(tenantId: string, previous: { personId: string; payload: Prisma.JsonValue }, command: HrCommand): HrOutcome {
  if (canonicalJson(previous.payload) !== canonicalJson(asStored(command))) {
    throw new Conflict('event_id_reused', `Event ${command.eventId} from ${command.source} was delivered before with different content; a new event needs a new eventId`, {
      source: command.source,
      eventId: command.eventId,
    });
  }
  return { personId: previous.personId, type: command.type, workflowId: onboardingWorkflowId(tenantId, previous.personId), duplicate: true, changes: NO_CHANGES };
}

/** The event as it is kept in hr_event.payload. */
function asStored(command: HrCommand): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(command)) as Prisma.InputJsonValue;
}

async function applyHire(tx: DbTx, tenantId: string, actor: Actor, command: Extract<HrCommand, { type: 'hire' }>, roleIds: string[]) {
  const { person } = command;
  const fields = {
    email: person.email,
    name: person.name,
    department: person.department,
    location: person.location,
    managerExternalId: person.managerExternalId,
    managerId: await resolveManager(tx, tenantId, command.source, person.managerExternalId),
    hireDate: person.hireDate,
    status: 'active' as const,
    terminatedAt: null,
  };
  const saved = await tx.person.upsert({
    where: { tenantId_source_externalId: { tenantId, source: command.source, externalId: person.externalId } },
    create: { tenantId, source: command.source, externalId: person.externalId, ...fields },
    update: fields,
    select: { id: true },
  });
  await setRoles(tx, tenantId, saved.id, roleIds);
  // Reports that arrived before their manager now point at them.
  await tx.person.updateMany({
    where: { tenantId, source: command.source, managerExternalId: person.externalId, managerId: null },
    data: { managerId: saved.id },
  });
  const { changes } = await refreshPersonAssignments(tx, tenantId, saved.id, actor);
  return { personId: saved.id, changes: counts(changes) };
}

async function applyToExistingPerson(
  tx: DbTx,
  tenantId: string,
  actor: Actor,
  command: Exclude<HrCommand, { type: 'hire' }>,
  roleIds: string[] | undefined,
) {
  const key = { tenantId_source_externalId: { tenantId, source: command.source, externalId: command.person.externalId } };
  const person = await tx.person.findUnique({ where: key, select: { id: true, status: true, leaveStartedAt: true } });
  if (!person) throw new UnknownReference('person', { source: command.source, externalId: command.person.externalId });
  if (person.status === 'terminated') {
    throw new Conflict('person_terminated', `Person ${command.person.externalId} is terminated; a hire event brings them back`);
  }

  switch (command.type) {
    case 'transfer': {
      const p = command.person;
      await tx.person.update({
        where: key,
        data: {
          department: p.department,
          location: p.location,
          email: p.email,
          name: p.name,
          ...(p.managerExternalId === undefined
            ? {}
            : { managerExternalId: p.managerExternalId, managerId: await resolveManager(tx, tenantId, command.source, p.managerExternalId) }),
        },
      });
      if (roleIds) await setRoles(tx, tenantId, person.id, roleIds);
      const { changes } = await refreshPersonAssignments(tx, tenantId, person.id, actor);
      return { personId: person.id, changes: counts(changes) };
    }
    case 'leave':
      await tx.person.update({ where: key, data: { status: 'on_leave', leaveStartedAt: toCalendarDate(command.occurredAt ?? new Date()) } });
      return { personId: person.id, changes: NO_CHANGES };
    case 'return': {
      await tx.person.update({ where: key, data: { status: 'active', leaveStartedAt: null } });
      const extended = person.leaveStartedAt
        ? await extendDueDatesForLeave(tx, tenantId, person.id, actor, person.leaveStartedAt, command.occurredAt ?? new Date())
        : 0;
      return { personId: person.id, changes: { ...NO_CHANGES, extended } };
    }
    case 'terminate': {
      await tx.person.update({ where: key, data: { status: 'terminated', terminatedAt: command.occurredAt ?? new Date() } });
      const cancelled = await cancelOpenAssignments(tx, tenantId, person.id, actor);
      return { personId: person.id, changes: { ...NO_CHANGES, cancelled } };
    }
  }
}

/**
 * Where the tenant says so, a return from leave moves the due dates of the person's open assignments
 * that fell due during the leave (on or after its first day) on by the leave's length, each audited.
 * An assignment marked overdue meanwhile is open again.
 */
async function extendDueDatesForLeave(tx: DbTx, tenantId: string, personId: string, actor: Actor, leaveStartedAt: Date, returnedAt: Date): Promise<number> {
  const policy = await tx.notificationPolicy.findUnique({ where: { tenantId }, select: { extendDueDatesForLeave: true } });
  const leaveDays = daysBetween(leaveStartedAt, returnedAt);
  if (!policy?.extendDueDatesForLeave || leaveDays <= 0) return 0;
  const affected = await tx.assignment.findMany({
    where: { tenantId, personId, status: { in: [...OPEN_STATUSES] }, dueDate: { gte: toCalendarDate(leaveStartedAt) } },
    select: { id: true, dueDate: true, status: true, startedAt: true },
  });
  for (const a of affected) {
    const dueDate = addDays(a.dueDate, leaveDays);
    await tx.assignment.update({
      where: { id: a.id },
      data: {
        dueDate,
        ...(a.status === 'overdue' ? { status: a.startedAt ? 'in_progress' : 'assigned', statusAt: new Date(), statusReason: 'due date extended for leave', statusActor: actor.id ?? actor.type } : {}),
      },
    });
    await recordAudit(tx, tenantId, actor, {
      action: 'assignment.due_date_extended',
      entityType: 'assignment',
      entityId: a.id,
      reason: `extended by ${leaveDays} day(s) of leave`,
      data: { from: isoDate(a.dueDate), to: isoDate(dueDate), leaveStartedAt: isoDate(leaveStartedAt), leaveDays },
    });
  }
  return affected.length;
}

async function cancelOpenAssignments(tx: DbTx, tenantId: string, personId: string, actor: Actor): Promise<number> {
  const open = await tx.assignment.findMany({
    where: { tenantId, personId, status: { in: ['assigned', 'in_progress', 'overdue'] } },
    select: { id: true },
  });
  if (open.length === 0) return 0;
  await tx.assignment.updateMany({
    where: { id: { in: open.map((a) => a.id) } },
    data: { status: 'cancelled', statusReason: PERSON_TERMINATED, statusActor: actor.id ?? actor.type, statusAt: new Date() },
  });
  await tx.auditEvent.createMany({
    data: open.map((a) => ({
      tenantId,
      actorType: actor.type,
      actorId: actor.id,
      requestId: actor.requestId,
      action: 'assignment.cancelled',
      entityType: 'assignment',
      entityId: a.id,
      reason: PERSON_TERMINATED,
    })),
  });
  return open.length;
}

async function resolveRoles(db: Db, tenantId: string, keys: string[]): Promise<string[]> {
  const roles = await db.role.findMany({ where: { tenantId, key: { in: keys } }, select: { id: true, key: true } });
  const missing = keys.filter((key) => !roles.some((role) => role.key === key));
  if (missing.length > 0) throw new UnknownReference('role', missing);
  return roles.map((role) => role.id);
}

async function resolveManager(tx: DbTx, tenantId: string, source: string, managerExternalId: string | null): Promise<string | null> {
  if (!managerExternalId) return null;
  const manager = await tx.person.findUnique({
    where: { tenantId_source_externalId: { tenantId, source, externalId: managerExternalId } },
    select: { id: true },
  });
  return manager?.id ?? null;
}

/** Sets exactly these roles; a role kept keeps its original `since`. */
async function setRoles(tx: DbTx, tenantId: string, personId: string, roleIds: string[]): Promise<void> {
  await tx.personRole.deleteMany({ where: { tenantId, personId, roleId: { notIn: roleIds } } });
  await tx.personRole.createMany({ data: roleIds.map((roleId) => ({ tenantId, personId, roleId })), skipDuplicates: true });
}

function counts(changes: MatrixSyncResult): AssignmentChanges {
  return { ...NO_CHANGES, assigned: changes.assigned, reassigned: changes.reassigned, waived: changes.waived };
}

function findEvent(db: Db, tenantId: string, command: HrCommand) {
  return db.hrEvent.findUnique({
    where: { tenantId_source_externalId: { tenantId, source: command.source, externalId: command.eventId } },
    select: { personId: true, payload: true },
  });
}
