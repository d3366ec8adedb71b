import type { Db } from '../../db/client';
import type { ApprovalMode, ApproverRule, EscalationRule, LevelSpec, RenewalKind } from '../../domain/approval-chain';
import { Conflict, DomainError, UnknownReference } from '../../domain/errors';
import { recordAudit, type Actor } from '../audit/trail';

/** A level as an administrator configures it; durations already in minutes. */
export interface LevelInput {
  name: string;
  approver: ApproverRule;
  roleKey?: string;
  personIds?: string[];
  mode: ApprovalMode;
  deadlineMinutes: number;
  reminderMinutesBefore: number[];
  onTimeout: EscalationRule;
  escalateToPersonId?: string;
}

export interface ChainView {
  kind: RenewalKind;
  name: string;
  updatedAt: string;
  levels: LevelSpec[];
}

export interface RenewalPolicyView {
  allowAutoApprove: boolean;
  retrainOnApproval: boolean;
  retrainDueDays: number;
  /** An approved certification renewal: extend the holder's certificate by the active period, or reissue it as of the approval. */
  certificationRenewal: 'extend' | 'reissue';
}

export const DEFAULT_RENEWAL_POLICY: RenewalPolicyView = { allowAutoApprove: false, retrainOnApproval: false, retrainDueDays: 30, certificationRenewal: 'reissue' };

const policyView = (row: RenewalPolicyView): RenewalPolicyView => ({
  allowAutoApprove: row.allowAutoApprove,
  retrainOnApproval: row.retrainOnApproval,
  retrainDueDays: row.retrainDueDays,
  certificationRenewal: row.certificationRenewal,
});

export async function getRenewalPolicy(db: Db, tenantId: string): Promise<RenewalPolicyView> {
  const row = await db.renewalPolicy.findUnique({ where: { tenantId } });
  return row ? policyView(row) : DEFAULT_RENEWAL_POLICY;
}

/** Sets the tenant's renewal rules. Forbidding automatic approval while a chain relies on it is refused. */
export async function putRenewalPolicy(db: Db, tenantId: string, actor: Actor, input: RenewalPolicyView): Promise<RenewalPolicyView> {
  if (!input.allowAutoApprove) {
    const relying = await db.approvalLevel.findMany({ where: { tenantId, onTimeout: 'auto_approve' }, select: { position: true, chain: { select: { kind: true } } } });
    if (relying.length > 0) {
      throw new Conflict('auto_approve_in_use', 'Approval chains still approve automatically on timeout; change those levels first', {
        levels: relying.map((l) => ({ kind: l.chain.kind, level: l.position })),
      });
    }
  }
  const row = await db.$transaction(async (tx) => {
    const saved = await tx.renewalPolicy.upsert({ where: { tenantId }, create: { tenantId, ...input }, update: input });
    await recordAudit(tx, tenantId, actor, { action: 'renewal_policy.updated', entityType: 'renewal_policy', entityId: tenantId, data: { ...input } });
    return saved;
  });
  return policyView(row);
}

export async function getApprovalChain(db: Db, tenantId: string, kind: RenewalKind): Promise<ChainView | null> {
  const chain = await db.approvalChain.findUnique({
    where: { tenantId_kind: { tenantId, kind } },
    include: { levels: { orderBy: { position: 'asc' } } },
  });
  if (!chain) return null;
  return {
    kind: chain.kind,
    name: chain.name,
    updatedAt: chain.updatedAt.toISOString(),
    levels: chain.levels.map((level) => ({
      position: level.position,
      name: level.name,
      approver: level.approver,
      roleKey: level.roleKey,
      personIds: level.personIds,
      mode: level.mode,
      deadlineMinutes: level.deadlineMinutes,
      reminderMinutesBefore: level.reminderMinutesBefore,
      onTimeout: level.onTimeout,
      escalateToPersonId: level.escalateToPersonId,
    })),
  };
}

/**
 * Replaces the chain for one kind of renewal. Requests already under way keep the levels they started
 * with. Everything a level names (role, people, escalation delegate) must exist in the tenant.
 */
export async function putApprovalChain(db: Db, tenantId: string, actor: Actor, kind: RenewalKind, input: { name: string; levels: LevelInput[] }): Promise<ChainView> {
  const roleKeys = [...new Set(input.levels.flatMap((l) => (l.approver === 'role' && l.roleKey ? [l.roleKey] : [])))];
  const personIds = [...new Set(input.levels.flatMap((l) => [...(l.approver === 'people' ? (l.personIds ?? []) : []), ...(l.escalateToPersonId ? [l.escalateToPersonId] : [])]))];
  const [roles, people, policy] = await Promise.all([
    db.role.findMany({ where: { tenantId, key: { in: roleKeys } }, select: { key: true } }),
    db.person.findMany({ where: { tenantId, id: { in: personIds } }, select: { id: true } }),
    getRenewalPolicy(db, tenantId),
  ]);
  const missingRoles = roleKeys.filter((key) => !roles.some((r) => r.key === key));
  if (missingRoles.length > 0) throw new UnknownReference('role', missingRoles);
  const missingPeople = personIds.filter((id) => !people.some((p) => p.id === id));
  if (missingPeople.length > 0) throw new UnknownReference('person', missingPeople);
  const autoApproving = input.levels.flatMap((l, i) => (l.onTimeout === 'auto_approve' ? [i + 1] : []));
  if (autoApproving.length > 0 && !policy.allowAutoApprove) {
    throw new DomainError(422, 'auto_approve_not_allowed', `This tenant does not allow automatic approval on timeout (levels ${autoApproving.join(', ')}); set allowAutoApprove in the renewal policy first`, {
      levels: autoApproving,
    });
  }

  await db.$transaction(async (tx) => {
    const chain = await tx.approvalChain.upsert({
      where: { tenantId_kind: { tenantId, kind } },
      create: { tenantId, kind, name: input.name },
      update: { name: input.name, updatedAt: new Date() },
    });
    await tx.approvalLevel.deleteMany({ where: { tenantId, chainId: chain.id } });
    await tx.approvalLevel.createMany({
      data: input.levels.map((level, index) => ({
        tenantId,
        chainId: chain.id,
        position: index + 1,
        name: level.name,
        approver: level.approver,
        roleKey: level.approver === 'role' ? level.roleKey! : null,
        personIds: level.approver === 'people' ? [...new Set(level.personIds)] : [],
        mode: level.mode,
        deadlineMinutes: level.deadlineMinutes,
        reminderMinutesBefore: [...new Set(level.reminderMinutesBefore)].sort((a, b) => b - a),
        onTimeout: level.onTimeout,
        escalateToPersonId: level.onTimeout === 'delegate' ? level.escalateToPersonId! : null,
      })),
    });
    await recordAudit(tx, tenantId, actor, {
      action: 'approval_chain.updated',
      entityType: 'approval_chain',
      entityId: chain.id,
      data: { kind, name: input.name, levels: input.levels.length },
    });
  });
  return (await getApprovalChain(db, tenantId, kind))!;
}
