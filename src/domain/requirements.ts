import { addDays } from './dates';

/** One rule of the training matrix as it applies to a person's role. */
export interface MatrixRule {
  requirementId: string;
  roleId: string;
  programId: string;
  mandatory: boolean;
  dueOffsetDays: number;
}

/** What a person owes for one program, and which rule decided its terms. */
export interface OwedProgram {
  programId: string;
  requirementId: string;
  mandatory: boolean;
  dueDate: Date;
}

/**
 * Resolves the rules of a person's roles into one obligation per program. When several roles
 * require the same program the strictest terms win: mandatory over optional, then the earliest due date.
 */
export function resolveOwedPrograms(rules: readonly MatrixRule[], startDate: Date): OwedProgram[] {
  const byProgram = new Map<string, OwedProgram>();
  for (const rule of rules) {
    const candidate: OwedProgram = {
      programId: rule.programId,
      requirementId: rule.requirementId,
      mandatory: rule.mandatory,
      dueDate: addDays(startDate, rule.dueOffsetDays),
    };
    const current = byProgram.get(rule.programId);
    if (!current || isStricter(candidate, current)) byProgram.set(rule.programId, candidate);
  }
  return [...byProgram.values()].sort((a, b) => a.dueDate.getTime() - b.dueDate.getTime() || a.programId.localeCompare(b.programId));
}

function isStricter(a: OwedProgram, b: OwedProgram): boolean {
  if (a.mandatory !== b.mandatory) return a.mandatory;
  return a.dueDate.getTime() < b.dueDate.getTime();
}
