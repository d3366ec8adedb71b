import type { Db, DbTx } from '../../db/client';
import { InvalidRequest } from '../../domain/errors';
import type { Actor } from '../audit/trail';
import { auditChange, inCatalogTransaction, sameView } from '../catalog/common';
import { DEFAULT_NUMBER_PATTERN, parseNumberPattern } from './numbering';

/** How a tenant numbers its certificates and whose name they carry, as the API shows it. */
export type CertificatePolicyView = {
  /** e.g. "{CERT}-{YYYY}-{SEQ:6}" */
  numberPattern: string;
  /** The organisation printed on certificates; null: the tenant's name. */
  issuerName: string | null;
  /** When the tenant last set it; null while the defaults apply. */
  updatedAt: string | null;
};

export type CertificatePolicyInput = Omit<CertificatePolicyView, 'updatedAt'>;

export async function getCertificatePolicy(db: DbTx, tenantId: string): Promise<CertificatePolicyView> {
  const row = await db.certificatePolicy.findUnique({ where: { tenantId } });
  if (!row) return { numberPattern: DEFAULT_NUMBER_PATTERN, issuerName: null, updatedAt: null };
  return { numberPattern: row.numberPattern, issuerName: row.issuerName, updatedAt: row.updatedAt.toISOString() };
}

/** What an issue uses: the pattern and the issuer's name (the tenant's when the policy names none). */
export async function certificatePolicyInForce(db: DbTx, tenantId: string): Promise<{ numberPattern: string; issuerName: string }> {
  const [policy, tenant] = await Promise.all([getCertificatePolicy(db, tenantId), db.tenant.findUniqueOrThrow({ where: { id: tenantId }, select: { name: true } })]);
  return { numberPattern: policy.numberPattern, issuerName: policy.issuerName ?? tenant.name };
}

/** Replaces the tenant's policy (audited with before and after); numbers already issued keep theirs. */
export async function setCertificatePolicy(db: Db, tenantId: string, actor: Actor, input: CertificatePolicyInput): Promise<CertificatePolicyView> {
  const parsed = parseNumberPattern(input.numberPattern);
  if (!parsed.ok) {
    throw new InvalidRequest(`Invalid request body: body.numberPattern: ${parsed.problems.join('; ')}`, parsed.problems.map((message) => ({ field: 'body.numberPattern', message })));
  }
  return inCatalogTransaction(db, tenantId, async (tx) => {
    const before = await getCertificatePolicy(tx, tenantId);
    const fields: CertificatePolicyInput = { numberPattern: input.numberPattern, issuerName: input.issuerName };
    const { updatedAt: _at, ...current } = before;
    if (before.updatedAt !== null && sameView(current, fields)) return before;
    await tx.certificatePolicy.upsert({ where: { tenantId }, create: { tenantId, ...fields }, update: fields });
    const after = await getCertificatePolicy(tx, tenantId);
    await auditChange(tx, tenantId, actor, { entityType: 'certificate_policy', entityId: tenantId, action: 'updated', before, after });
    return after;
  });
}
