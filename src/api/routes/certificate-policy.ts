import { z } from 'zod';
import type { Db } from '../../db/client';
import { MAX_PATTERN_LENGTH, parseNumberPattern } from '../../services/certifications/numbering';
import { getCertificatePolicy, setCertificatePolicy } from '../../services/certifications/policy';
import { operation } from '../operation';
import { standardErrors, text } from '../schemas/common';

const numberPattern = z
  .string()
  .max(MAX_PATTERN_LENGTH, { error: `Must be at most ${MAX_PATTERN_LENGTH} characters`, abort: true })
  .superRefine((pattern, ctx) => {
    const parsed = parseNumberPattern(pattern);
    if (!parsed.ok) for (const message of parsed.problems) ctx.addIssue({ code: 'custom', message });
  })
  .meta({
    description:
      'How certificate numbers are made: {CERT} the certification key upper-cased, {YYYY} {YY} {MM} the issue year and month, {SEQ:n} the sequence zero-padded to n digits ({SEQ} unpadded). ' +
      'The sequence counts per the rest of the number (each certification and year for the default); letters, digits, spaces and . _ - / # : between tokens',
    examples: ['{CERT}-{YYYY}-{SEQ:6}', 'ACME/{YY}{MM}/{SEQ:5}'],
  });

const policyView = z
  .object({
    numberPattern: z.string(),
    issuerName: z.string().nullable().meta({ description: "The organisation printed on certificates; null: the tenant's name" }),
    updatedAt: z.string().nullable().meta({ description: 'null while the defaults apply' }),
  })
  .meta({ id: 'CertificatePolicy' });

const policyInput = z
  .strictObject({
    numberPattern,
    issuerName: text(200).nullable().meta({ description: "The organisation printed on certificates; null: the tenant's name" }),
  })
  .meta({ id: 'CertificatePolicyInput' });

/** How the tenant numbers certificates and whose name they carry. */
export function certificatePolicyOperations(db: Db) {
  return [
    operation(
      {
        method: 'get',
        path: '/certificate-policy',
        summary: "The tenant's certificate numbering and issuer name (the defaults until set)",
        tag: 'Certifications',
        scope: 'catalog:read',
        responses: { 200: { description: 'The policy in force', schema: policyView }, ...standardErrors },
      },
      async ({ principal }) => ({ status: 200, body: await getCertificatePolicy(db, principal.tenantId) }),
    ),
    operation(
      {
        method: 'put',
        path: '/certificate-policy',
        summary: "Replace the tenant's certificate numbering and issuer name (certificates already issued keep theirs)",
        tag: 'Certifications',
        scope: 'certifications:write',
        body: policyInput,
        responses: { 200: { description: 'The policy as saved', schema: policyView }, ...standardErrors },
      },
      async ({ body, principal, actor }) => ({ status: 200, body: await setCertificatePolicy(db, principal.tenantId, actor, body) }),
    ),
  ];
}
