import { Prisma } from '../../db/client';

/** One program a person owes, and the rule it comes from. */
export interface OwedProgram {
  person_id: string;
  program_id: string;
  requirement_id: string;
  mandatory: boolean;
  due_date: Date;
}

/**
 * What people owe, as one SQL query — the only place this is computed (the assignment sync stages
 * it; the compliance view explains it). For every person of `people` (a relation with id,
 * hire_date, department and location): each program a rule of their roles requires, where the rule's
 * department and location filters match them, closed over the prerequisites of those programs.
 * Where several rules require one program, the strictest wins: mandatory over optional, then the
 * earliest due date; prerequisites are owed on the terms of the program that needs them. A rule
 * counts its due date from the hire date or from today (the day of assignment), as it says.
 */
export function owedTrainingQuery(tenantId: string, people: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`
    WITH RECURSIVE
    rules AS (
      SELECT pe.id AS person_id, r.program_id, r.id AS requirement_id, r.mandatory,
             CASE r.due_relative_to WHEN 'hire_date' THEN pe.hire_date + r.due_offset_days
                                    ELSE current_date + r.due_offset_days END AS due_date
        FROM ${people} pe
        JOIN person_role pr ON pr.tenant_id = ${tenantId}::uuid AND pr.person_id = pe.id
        JOIN requirement r ON r.tenant_id = ${tenantId}::uuid AND r.role_id = pr.role_id
       WHERE (r.department IS NULL OR r.department = pe.department)
         AND (r.location IS NULL OR r.location = pe.location)
    ),
    closure AS (
      SELECT person_id, program_id, requirement_id, mandatory, due_date FROM rules
      UNION
      SELECT c.person_id, pp.prerequisite_id, c.requirement_id, c.mandatory, c.due_date
        FROM closure c
        JOIN program_prerequisite pp ON pp.tenant_id = ${tenantId}::uuid AND pp.program_id = c.program_id
    )
    SELECT DISTINCT ON (person_id, program_id) person_id, program_id, requirement_id, mandatory, due_date
      FROM closure
     ORDER BY person_id, program_id, mandatory DESC, due_date ASC, requirement_id`;
}
