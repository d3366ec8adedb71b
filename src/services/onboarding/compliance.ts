import { Prisma, type Db } from '../../db/client';
import { addDays, isoDate } from '../../domain/dates';
import { NotFound } from '../../domain/errors';
import { DEFAULT_NOTICE_POLICY } from '../../domain/notices';
import { dayIn, isTimeZone } from '../../domain/time-zones';
import { certificationRulesQuery } from '../certifications/required';
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
  /** The certifications the person's roles require, where each stands, and why (role → requirement). */
  certifications: ComplianceCertification[];
}

/** How far ahead a certificate's expiry is flagged. */
export const CERTIFICATE_EXPIRY_WARNING_DAYS = 30;

export interface ComplianceCertification {
  certification: { key: string; title: string };
  /** Where the certification's process stands; null before it has run for this person. */
  state: 'assigned' | 'certified' | 'window_open' | 'expired' | 'inactive' | null;
  /** The certificate in force (neither superseded nor revoked), if any. */
  certificateNumber: string | null;
  /** YYYY-MM-DD: its expiry day (from then on it is no longer valid). */
  expiresOn: string | null;
  /** The certificate in force has reached its expiry day (the tenant's today). */
  expired: boolean;
  /** Days until the certificate in force expires, when that is within CERTIFICATE_EXPIRY_WARNING_DAYS; otherwise null. */
  expiringWithinDays: number | null;
  /** No certificate in force: never certified, or the last one was revoked. */
  missing: boolean;
  /** Each requirement that asks for it: the role, its filters, since when it applies. */
  why: { requirementId: string; role: string; department: string | null; location: string | null; since: string }[];
}

interface CertificationRow {
  key: string;
  title: string;
  state: ComplianceCertification['state'];
  number: string | null;
  expires_on: string | null;
  why: { requirementId: string; role: string; roleId: string; department: string | null; location: string | null; createdAt: string }[];
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
  time_zone: string | null;
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
  // One statement (its parts as JSON): each statement costs the API more than the rows it returns.
  const thisPersonWithStatus = Prisma.sql`(SELECT id, status, department, location FROM person WHERE tenant_id = ${tenantId}::uuid AND id = ${personId}::uuid)`;
  const [row] = await db.$queryRaw<{ person: PersonRow | null; assignments: AssignmentRow[]; waiting: WaitingRow[]; documents: ComplianceDocument[]; certifications: CertificationRow[] }[]>`
    SELECT
      (SELECT json_build_object(
                'id', p.id, 'external_id', p.external_id, 'name', p.name, 'status', p.status,
                'roles', COALESCE((SELECT json_agg(json_build_object('roleId', r.id, 'key', r.key, 'since', pr.since AT TIME ZONE 'UTC') ORDER BY r.key)
                                     FROM person_role pr JOIN role r ON r.id = pr.role_id
                                    WHERE pr.tenant_id = p.tenant_id AND pr.person_id = p.id), '[]'),
                'reminder_days', (SELECT np.reminder_days_before_due FROM notification_policy np WHERE np.tenant_id = p.tenant_id),
                'time_zone', (SELECT np.time_zone FROM notification_policy np WHERE np.tenant_id = p.tenant_id))
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
          WHERE t.tenant_id = ${tenantId}::uuid AND t.person_id = ${personId}::uuid AND t.status <> 'obsolete') x) AS documents,
      (SELECT COALESCE(json_agg(x ORDER BY x.key), '[]') FROM (
         SELECT ce.key, ce.title, st.state, cur.number, to_char(cur.expires_on, 'YYYY-MM-DD') AS expires_on, rules.why
           FROM (SELECT rule.certification_id,
                        json_agg(json_build_object('requirementId', rule.requirement_id, 'role', ro.key, 'roleId', ro.id, 'department', cr.department,
                                                   'location', cr.location, 'createdAt', cr.created_at AT TIME ZONE 'UTC') ORDER BY ro.key, cr.created_at) AS why
                   FROM (${certificationRulesQuery(tenantId, thisPersonWithStatus)}) rule
                   JOIN certification_requirement cr ON cr.id = rule.requirement_id JOIN role ro ON ro.id = rule.role_id
                  GROUP BY rule.certification_id) rules
           JOIN certification ce ON ce.id = rules.certification_id
           LEFT JOIN certification_status st ON st.tenant_id = ${tenantId}::uuid AND st.person_id = ${personId}::uuid AND st.certification_id = ce.id
           LEFT JOIN LATERAL (SELECT c.number, c.expires_on FROM certificate c
                               WHERE c.tenant_id = ${tenantId}::uuid AND c.certification_id = ce.id AND c.person_id = ${personId}::uuid
                                 AND c.superseded_at IS NULL AND c.revoked_at IS NULL
                               ORDER BY c.expires_on DESC, c.issued_on DESC LIMIT 1) cur ON true) x) AS certifications`;
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

  // Certificates are judged on the tenant's day, as everywhere else (src/domain/certificates.ts).
  const certificationDay = dayIn(today.getTime(), person.time_zone && isTimeZone(person.time_zone) ? person.time_zone : 'UTC');
  const certifications: ComplianceCertification[] = row!.certifications.map((c) => {
    const daysLeft = c.expires_on === null ? null : Math.round((Date.parse(`${c.expires_on}T00:00:00Z`) - Date.parse(`${certificationDay}T00:00:00Z`)) / 86_400_000);
    return {
      certification: { key: c.key, title: c.title },
      state: c.state,
      certificateNumber: c.number,
      expiresOn: c.expires_on,
      expired: daysLeft !== null && daysLeft <= 0,
      expiringWithinDays: daysLeft !== null && daysLeft > 0 && daysLeft <= CERTIFICATE_EXPIRY_WARNING_DAYS ? daysLeft : null,
      missing: c.number === null,
      why: c.why.map((rule) => {
        const held = roleSince.get(rule.roleId);
        const created = new Date(rule.createdAt);
        return {
          requirementId: rule.requirementId,
          role: rule.role,
          department: rule.department,
          location: rule.location,
          since: (held && held > created ? held : created).toISOString(),
        };
      }),
    };
  });

  const soonDays = Math.max(0, ...(person.reminder_days ?? DEFAULT_NOTICE_POLICY.reminderDaysBeforeDue));
  const todayIso = isoDate(today);
  const soonIso = isoDate(addDays(today, soonDays));
  const open = [
    ...items.filter((i) => i.mandatory && OPEN.has(i.status) && i.dueDate),
    ...documents.filter((d) => d.status === 'open').map((d) => ({ status: 'open', dueDate: d.dueDate })),
  ];
  // A required certificate that has expired counts as overdue; one about to expire as due soon.
  const state: ComplianceState = open.some((i) => i.status === 'overdue' || i.dueDate! < todayIso) || certifications.some((c) => c.expired)
    ? 'overdue'
    : open.some((i) => i.dueDate! <= soonIso) || certifications.some((c) => c.expiringWithinDays !== null)
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
    certifications,
  };
}
