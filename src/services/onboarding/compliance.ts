import { addDays, isoDate } from '../../domain/dates';
import type { Db } from '../../db/client';
import { NotFound } from '../../domain/errors';
import { DEFAULT_NOTICE_POLICY } from '../../domain/notices';

export type ComplianceState = 'compliant' | 'due_soon' | 'overdue';

export interface RuleProvenance {
  requirementId: string;
  role: string;
  mandatory: boolean;
  dueOffsetDays: number;
  dueRelativeTo: string;
  department: string | null;
  location: string | null;
  /** Set when the program is owed as a prerequisite of the program this rule requires. */
  prerequisiteOf: string | null;
  /** Since when the rule applies to this person: the later of holding the role and the rule's creation. */
  since: string;
}

export interface ComplianceItem {
  program: { key: string; title: string };
  status: string;
  mandatory: boolean;
  dueDate: string | null;
  completedAt: string | null;
  statusReason: string | null;
  assignmentId: string | null;
  /** Programs that must be completed before this one is assigned. */
  waitingFor: string[];
  provenance: RuleProvenance | null;
}

export interface ComplianceReport {
  person: { id: string; externalId: string; name: string; status: string; roles: { key: string; since: string }[] };
  state: ComplianceState;
  items: ComplianceItem[];
}

const OPEN = new Set(['assigned', 'in_progress', 'overdue']);

/** Explains what a person owes, why (which role and rule), and where each item stands. */
export async function complianceReport(db: Db, tenantId: string, personId: string, today = new Date()): Promise<ComplianceReport> {
  const person = await db.person.findFirst({
    where: { id: personId, tenantId },
    include: { roles: { include: { role: { select: { id: true, key: true } } } } },
  });
  if (!person) throw new NotFound('person', personId);
  const roleSince = new Map(person.roles.map((r) => [r.roleId, r.since]));
  const [assignments, rules, policy] = await Promise.all([
    db.assignment.findMany({
      where: { tenantId, personId },
      include: { program: { select: { key: true, title: true } }, requirement: { include: { role: { select: { key: true } }, program: { select: { key: true } } } } },
      orderBy: [{ dueDate: 'asc' }, { assignedAt: 'asc' }],
    }),
    db.requirement.findMany({
      where: { tenantId, roleId: { in: [...roleSince.keys()] } },
      include: { role: { select: { key: true } }, program: { include: { prerequisites: { include: { prerequisite: { select: { key: true } } } } } } },
    }),
    db.notificationPolicy.findUnique({ where: { tenantId } }),
  ]);

  const provenance = (rule: (typeof rules)[number] | NonNullable<(typeof assignments)[number]['requirement']>, programKey: string): RuleProvenance => {
    const held = roleSince.get(rule.roleId);
    const since = held && held > rule.createdAt ? held : rule.createdAt;
    return {
      requirementId: rule.id,
      role: rule.role.key,
      mandatory: rule.mandatory,
      dueOffsetDays: rule.dueOffsetDays,
      dueRelativeTo: rule.dueRelativeTo,
      department: rule.department,
      location: rule.location,
      prerequisiteOf: 'program' in rule && rule.program.key !== programKey ? rule.program.key : null,
      since: since.toISOString(),
    };
  };

  const items: ComplianceItem[] = assignments.map((a) => ({
    program: a.program,
    status: a.status,
    mandatory: a.mandatory,
    dueDate: isoDate(a.dueDate),
    completedAt: a.completedAt?.toISOString() ?? null,
    statusReason: a.statusReason,
    assignmentId: a.id,
    waitingFor: [],
    provenance: a.requirement ? provenance(a.requirement, a.program.key) : null,
  }));

  // Rules whose program is not assigned yet because a prerequisite is still open.
  const assigned = new Set(assignments.map((a) => a.programId));
  for (const rule of rules) {
    if (assigned.has(rule.programId) || person.status === 'terminated') continue;
    if (rule.department && rule.department !== person.department) continue;
    if (rule.location && rule.location !== person.location) continue;
    items.push({
      program: { key: rule.program.key, title: rule.program.title },
      status: 'waiting_for_prerequisites',
      mandatory: rule.mandatory,
      dueDate: null,
      completedAt: null,
      statusReason: null,
      assignmentId: null,
      waitingFor: rule.program.prerequisites.map((p) => p.prerequisite.key),
      provenance: provenance(rule, rule.program.key),
    });
  }

  const soonDays = Math.max(0, ...(policy?.reminderDaysBeforeDue ?? DEFAULT_NOTICE_POLICY.reminderDaysBeforeDue));
  const todayIso = isoDate(today);
  const soonIso = isoDate(addDays(today, soonDays));
  const open = items.filter((i) => i.mandatory && OPEN.has(i.status) && i.dueDate);
  const state: ComplianceState = open.some((i) => i.status === 'overdue' || i.dueDate! < todayIso)
    ? 'overdue'
    : open.some((i) => i.dueDate! <= soonIso)
      ? 'due_soon'
      : 'compliant';

  return {
    person: {
      id: person.id,
      externalId: person.externalId,
      name: person.name,
      status: person.status,
      roles: person.roles.map((r) => ({ key: r.role.key, since: r.since.toISOString() })),
    },
    state,
    items,
  };
}
