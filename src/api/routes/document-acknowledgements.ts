import { z } from 'zod';
import type { Db } from '../../db/client';
import { acknowledgementsCsv, allAcknowledgements, listAcknowledgements } from '../../services/documents/acknowledgements';
import { operation } from '../operation';
import { catalogErrors, keyParams, pageOf, pageQuery } from '../schemas/catalog';
import { standardErrors } from '../schemas/common';

const versionParams = keyParams.extend({
  version: z.string().min(1).max(100).meta({ description: 'The version number, as the document system names it (e.g. 3.0)' }),
});

const acknowledgementView = z
  .object({
    id: z.uuid(),
    person: z.object({ id: z.uuid(), externalId: z.string(), name: z.string(), email: z.string() }),
    signedAt: z.string(),
    version: z.string(),
    contentHash: z.string().meta({ description: "SHA-256 of the version's content when it was signed" }),
    meaning: z.string().meta({ description: 'What the signature states, word for word' }),
    linkId: z.uuid().meta({ description: 'The single-use signing link the person re-authenticated with' }),
    address: z.string().nullable().meta({ description: 'The address the signature came from' }),
  })
  .meta({ id: 'DocumentAcknowledgement' });

/** The "read and understood" signatures of a document version: the electronic-signature records auditors read. */
export function documentAcknowledgementOperations(db: Db) {
  return [
    operation(
      {
        method: 'get',
        path: '/documents/:key/versions/:version/acknowledgements',
        summary: "A document version's read-and-understood signatures: who, when, which content, what it means, and how they signed in",
        tag: 'Documents',
        scope: 'audit:read',
        params: versionParams,
        query: pageQuery,
        responses: { 200: { description: 'One page, oldest first', schema: pageOf(acknowledgementView, 'DocumentAcknowledgementPage') }, ...standardErrors, ...catalogErrors },
      },
      async ({ params, query, principal }) => ({ status: 200, body: await listAcknowledgements(db, principal.tenantId, params.key, params.version, query) }),
    ),
    operation(
      {
        method: 'get',
        path: '/documents/:key/versions/:version/acknowledgements.csv',
        summary: "A document version's read-and-understood signatures as CSV (RFC 4180; formula-like cells neutralised)",
        tag: 'Documents',
        scope: 'audit:read',
        params: versionParams,
        responses: {
          200: {
            description: 'A header row (person_external_id, name, email, signed_at, version, content_hash, meaning, link_id, address), then one row per signature, oldest first',
            schema: z.string(),
            contentType: 'text/csv',
          },
          ...standardErrors,
          ...catalogErrors,
        },
      },
      async ({ params, principal }) => ({
        status: 200,
        contentType: 'text/csv; charset=utf-8',
        headers: { 'content-disposition': `attachment; filename="acknowledgements-${safeFileName(params.key)}-${safeFileName(params.version)}.csv"` },
        body: acknowledgementsCsv(await allAcknowledgements(db, principal.tenantId, params.key, params.version)),
      }),
    ),
  ];
}

/** A header value from path text: only what is safe in a quoted filename. */
function safeFileName(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, '_');
}
