import { Prisma, type Db } from '../../db/client';
import { addDays, isoDate } from '../../domain/dates';
import { NotFound } from '../../domain/errors';
import { DEFAULT_NOTICE_POLICY } from '../../domain/notices';
import { OPEN_STATUSES } from './assignments';
import { owedTrainingQuery, type OwedProgram } from './owed-training';

const ruleDetail = { role: { select: { key: true } }, program: { select: { key: true } } } as const;
type Rule = Prisma.RequirementGetPayload<{ include: typeof ruleDetail }>;

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

const OPEN = new Set<string>(OPEN_STATUSES);

/**
 * Explains what a person owes, why (which role and rule), and where each item stands: their
 * assignments, and what the matrix says they owe but is not assigned yet because a prerequisite is
 * still open — computed by the same query the assignment sync uses (owedTrainingQuery).
 */
export async function complianceReport(db: Db, tenantId: string, personId: string, today = new Date()): Promise<ComplianceReport> {
  const person = await db.person.findFirst({
    where: { id: personId, tenantId },
    include: { roles: { include: { role: { select: { id: true, key: true } } } } },
  });
  if (!person) throw new NotFound('person', personId);
  const roleSince = new Map(person.roles.map((r) => [r.roleId, r.since]));
  const thisPerson = Prisma.sql`(SELECT id, hire_date, department, location FROM person
                                  WHERE tenant_id = ${tenantId}::uuid AND id = ${personId}::uuid AND status <> 'terminated')`;
  const [assignments, owed, policy] = await Promise.all([
    db.assignment.findMany({
      where: { tenantId, personId },
      include: { program: { select: { key: true, title: true } }, requirement: { include: ruleDetail } },
      orderBy: [{ dueDate: 'asc' }, { assignedAt: 'asc' }],
    }),
    db.$queryRaw<OwedProgram[]>`${owedTrainingQuery(tenantId, thisPerson)}`,
    db.notificationPolicy.findUnique({ where: { tenantId } }),
  ]);
  const assigned = new Set(assignments.map((a) => a.programId));
  const waiting = owed.filter((o) => !assigned.has(o.program_id));
  const [rules, programs] = await Promise.all([
    db.requirement.findMany({ where: { tenantId, id: { in: waiting.map((o) => o.requirement_id) } }, include: ruleDetail }),
    db.program.findMany({
      where: { tenantId, id: { in: waiting.map((o) => o.program_id) } },
      select: { id: true, key: true, title: true, prerequisites: { select: { prerequisite: { select: { id: true, key: true } } } } },
    }),
  ]);
  const completed = new Set(assignments.filter((a) => a.status === 'completed').map((a) => a.programId));

  const provenance = (rule: Rule, programKey: string): RuleProvenance => {
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
      prerequisiteOf: rule.program.key !== programKey ? rule.program.key : null,
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
  for (const o of waiting) {
    const program = programs.find((p) => p.id === o.program_id)!;
    const rule = rules.find((r) => r.id === o.requirement_id)!;
    items.push({
      program: { key: program.key, title: program.title },
      status: 'waiting_for_prerequisites',
      mandatory: o.mandatory,
      dueDate: null,
      completedAt: null,
      statusReason: null,
      assignmentId: null,
      waitingFor: program.prerequisites.filter((p) => !completed.has(p.prerequisite.id)).map((p) => p.prerequisite.key),
      provenance: provenance(rule, program.key),
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
