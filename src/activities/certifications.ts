import { advanceCertification, type AdvanceInput } from '../services/certifications/cycle';
import { issueLinkToken, type ApprovalLinkSettings } from '../services/identity/approval-links';
import type { CertificationProgress } from '../workflows/certification';
import type { ActivityDeps } from './deps';

/** The certification process's one step (src/services/certifications/cycle.ts), bound to the worker's database. */
export function createCertificationActivities({ db, publicUrl, approvalLinks }: ActivityDeps & { approvalLinks: ApprovalLinkSettings }) {
  const learnerUrl = async (tenantId: string, personId: string, key: string, at: Date) =>
    `${publicUrl}/learner?token=${encodeURIComponent(await issueLinkToken(db, approvalLinks, { tenantId, key, purpose: 'learner', personId, now: at }))}`;
  return {
    async advanceCertification(input: AdvanceInput): Promise<CertificationProgress> {
      return advanceCertification(db, { publicUrl, learnerUrl }, input);
    },
  };
}
