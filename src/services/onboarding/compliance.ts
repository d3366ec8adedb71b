import { Prisma, type Db } from '../../db/client';
import { addDays, isoDate } from '../../domain/dates';
import { NotFound } from '../../domain/errors';
import { DEFAULT_NOTICE_POLICY } from '../../domain/notices';
import { OPEN_STATUSES } from './assignments';
import { owedTrainingQuery } from './owed-training';


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
  /** Controlled-document training (not obsolete), and why: role → document type → training. */
  documents: ComplianceDocument[];
}

export interface ComplianceDocument {
  document: string;
  title: string;
  version: string;
  versionId: string;
  status: 'open' | 'completed' | 'credited';
  dueDate: string;
  completedAt: string | null;
  training: 'acknowledgement' | 'course' | 'program';
  role: string | null;
  documentType: string;
}

const OPEN = new Set<string>(OPEN_STATUSES);

/** A rule as the report explains it, with the role it belongs to and the program it requires (JSON from SQL). */
interface RuleRow {
  requirement_id: string | null;
  rule_mandatory: boolean;
  due_offset_days: number;
  due_relative_to: string;
  department: string | null;
  location: string | null;
  /** An ISO moment with its offset. */
  rule_created_at: string;
  role_id: string;
  role_key: string;
  rule_program_key: string;
}

interface PersonRow {
  id: string;
  external_id: string;
  name: string;
  status: string;
  roles: { roleId: string; key: string; since: string }[];
  reminder_days: number[] | null;
}

interface AssignmentRow extends RuleRow {
  id: string;
  program_key: string;
  program_title: string;
  status: string;
  mandatory: boolean;
  /** YYYY-MM-DD */
  due_date: string;
  completed_at: string | null;
  status_reason: string | null;
}

interface WaitingRow extends RuleRow {
  program_key: string;
  program_title: string;
  mandatory: boolean;
  waiting_for: string[];
}

/** The columns that describe an item's rule, for a query that names the requirement `r`. */
const RULE_COLUMNS = Prisma.sql`r.id AS requirement_id, r.mandatory AS rule_mandatory, r.due_offset_days, r.due_relative_to::text AS due_relative_to,
  r.department, r.location, r.created_at AT TIME ZONE 'UTC' AS rule_created_at, r.role_id, ro.key AS role_key, rp.key AS rule_program_key`;

/**
 * Explains what a person owes, why (which role and rule), and where each item stands: their
 * assignments, and what the matrix says they owe but is not assigned yet because a prerequisite is
 * still open — computed by the same query the assignment sync uses (owedTrainingQuery).
 */
export async function complianceReport(db: Db, tenantId: string, personId: string, today = new Date()): Promise<ComplianceReport> {
  const thisPerson = Prisma.sql`(SELECT id, hire_date, department, location FROM person
                                  WHERE tenant_id = ${tenantId}::uuid AND id = ${personId}::uuid AND status <> 'terminated')`;
  // One statement (three parts as JSON): each statement costs the API more than the rows it returns.
  const [row] = await db.$queryRaw<{ person: PersonRow | null; assignments: AssignmentRow[]; waiting: WaitingRow[]; documents: ComplianceDocument[] }[]>`
    SELECT
      (SELECT json_build_object(
                'id', p.id, 'external_id', p.external_id, 'name', p.name, 'status', p.status,
                'roles', COALESCE((SELECT json_agg(json_build_object('roleId', r.id, 'key', r.key, 'since', pr.since AT TIME ZONE 'UTC') ORDER BY r.key)
                                     FROM person_role pr JOIN role r ON r.id = pr.role_id
                                    WHERE pr.tenant_id = p.tenant_id AND pr.person_id = p.id), '[]'),
                'reminder_days', (SELECT np.reminder_days_before_due FROM notification_policy np WHERE np.tenant_id = p.tenant_id))
         FROM person p WHERE p.tenant_id = ${tenantId}::uuid AND p.id = ${personId}::uuid) AS person,
      (SELECT COALESCE(json_agg(x ORDER BY x.due_date, x.assigned_at, x.id), '[]') FROM (
         SELECT a.id, pg.key AS program_key, pg.title AS program_title, a.status, a.mandatory, a.due_date, a.assigned_at,
                a.completed_at AT TIME ZONE 'UTC' AS completed_at, a.status_reason, ${RULE_COLUMNS}
           FROM assignment a
           JOIN program pg ON pg.id = a.program_id
           LEFT JOIN requirement r ON r.id = a.requirement_id
           LEFT JOIN role ro ON ro.id = r.role_id
           LEFT JOIN program rp ON rp.id = r.program_id
          WHERE a.tenant_id = ${tenantId}::uuid AND a.person_id = ${personId}::uuid) x) AS assignments,
      (SELECT COALESCE(json_agg(x ORDER BY x.program_key), '[]') FROM (
         WITH owed AS (${owedTrainingQuery(tenantId, thisPerson)})
         SELECT pg.key AS program_key, pg.title AS program_title, o.mandatory,
                ARRAY(SELECT pre.key FROM program_prerequisite pp JOIN program pre ON pre.id = pp.prerequisite_id
                       WHERE pp.tenant_id = ${tenantId}::uuid AND pp.program_id = o.program_id
                         AND NOT EXISTS (SELECT 1 FROM assignment done
                                          WHERE done.tenant_id = ${tenantId}::uuid AND done.person_id = o.person_id
                                            AND done.program_id = pp.prerequisite_id AND done.status = 'completed')
                       ORDER BY pre.key) AS waiting_for,
                ${RULE_COLUMNS}
           FROM owed o
           JOIN program pg ON pg.id = o.program_id
           JOIN requirement r ON r.id = o.requirement_id
           JOIN role ro ON ro.id = r.role_id
           JOIN program rp ON rp.id = r.program_id
          WHERE NOT EXISTS (SELECT 1 FROM assignment a WHERE a.tenant_id = ${tenantId}::uuid AND a.person_id = o.person_id AND a.program_id = o.program_id)) x) AS waiting,
      (SELECT COALESCE(json_agg(x ORDER BY x."dueDate", x.document), '[]') FROM (
         SELECT d.key AS document, d.title, v.version, v.id AS "versionId", t.status, to_char(t.due_date, 'YYYY-MM-DD') AS "dueDate",
                to_char(t.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "completedAt", d.training, ro.key AS role, dt.key AS "documentType"
           FROM document_training t JOIN document_version v ON v.id = t.version_id JOIN document d ON d.id = v.document_id
           JOIN document_type dt ON dt.id = d.document_type_id LEFT JOIN role ro ON ro.id = t.role_id
          WHERE t.tenant_id = ${tenantId}::uuid AND t.person_id = ${personId}::uuid AND t.status <> 'obsolete') x) AS documents`;
  const { person, assignments, waiting, documents } = row!;
  if (!person) throw new NotFound('person', personId);
  const roleSince = new Map(person.roles.map((r) => [r.roleId, new Date(r.since)]));

  const provenance = (rule: RuleRow, programKey: string): RuleProvenance | null => {
    if (rule.requirement_id === null) return null;
    const held = roleSince.get(rule.role_id);
    const created = new Date(rule.rule_created_at);
    const since = held && held > created ? held : created;
    return {
      requirementId: rule.requirement_id,
      role: rule.role_key,
      mandatory: rule.rule_mandatory,
      dueOffsetDays: rule.due_offset_days,
      dueRelativeTo: rule.due_relative_to,
      department: rule.department,
      location: rule.location,
      prerequisiteOf: rule.rule_program_key !== programKey ? rule.rule_program_key : null,
      since: since.toISOString(),
    };
  };

  const items: ComplianceItem[] = assignments.map((a) => ({
    program: { key: a.program_key, title: a.program_title },
    status: a.status,
    mandatory: a.mandatory,
    dueDate: a.due_date,
    completedAt: a.completed_at === null ? null : new Date(a.completed_at).toISOString(),
    statusReason: a.status_reason,
    assignmentId: a.id,
    waitingFor: [],
    provenance: provenance(a, a.program_key),
  }));
  for (const o of waiting) {
    items.push({
      program: { key: o.program_key, title: o.program_title },
      status: 'waiting_for_prerequisites',
      mandatory: o.mandatory,
      dueDate: null,
      completedAt: null,
      statusReason: null,
      assignmentId: null,
      waitingFor: o.waiting_for,
      provenance: provenance(o, o.program_key),
    });
  }

  const soonDays = Math.max(0, ...(person.reminder_days ?? DEFAULT_NOTICE_POLICY.reminderDaysBeforeDue));
  const todayIso = isoDate(today);
  const soonIso = isoDate(addDays(today, soonDays));
  const open = [
    ...items.filter((i) => i.mandatory && OPEN.has(i.status) && i.dueDate),
    ...documents.filter((d) => d.status === 'open').map((d) => ({ status: 'open', dueDate: d.dueDate })),
  ];
  const state: ComplianceState = open.some((i) => i.status === 'overdue' || i.dueDate! < todayIso)
    ? 'overdue'
    : open.some((i) => i.dueDate! <= soonIso)
      ? 'due_soon'
      : 'compliant';

  return {
    person: {
      id: person.id,
      externalId: person.external_id,
      name: person.name,
      status: person.status,
      roles: person.roles.map((r) => ({ key: r.key, since: new Date(r.since).toISOString() })),
    },
    state,
    items,
    documents,
  };
}
