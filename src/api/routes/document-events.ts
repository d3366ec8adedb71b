import { z } from 'zod';
import type { Db } from '../../db/client';
import { NotFound } from '../../domain/errors';
import { recordDocumentEvent } from '../../services/documents/events';
import { previewGap } from '../../services/documents/gap';
import type { CommandDelivery } from '../../services/processes/operations';
import { operation } from '../operation';
import { calendarDate, errorResponse, moment, standardErrors, text } from '../schemas/common';
import { catalogKey } from '../schemas/catalog';

const versionString = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'must be a version such as 3.0 or 2');

const documentEvent = z
  .strictObject({
    source: text(100).meta({ description: 'The document system, e.g. veeva-vault' }),
    eventId: text(200).meta({ description: 'Unique per source: the same event delivered again is one event' }),
    type: z.enum(['approved', 'effective', 'superseded', 'withdrawn']),
    document: catalogKey,
    version: versionString,
    impact: z.enum(['retraining', 'minor']).optional().meta({ description: 'For approved: whether people must be trained on this version; the document type’s default when absent' }),
    occurredAt: moment(0).optional().meta({ description: 'When it happened (the approval time), not in the future; now when absent' }),
    effectiveDate: calendarDate(3650).optional().meta({ description: 'YYYY-MM-DD, from 1900 to ten years ahead' }),
  })
  .meta({ id: 'DocumentEvent' });

const outcome = z
  .object({ duplicate: z.boolean(), document: z.string(), version: z.string(), status: z.string(), impact: z.string().nullable(), workflowId: z.string() })
  .meta({ id: 'DocumentEventOutcome' });

const impactRow = z.object({
  person: z.object({ id: z.uuid(), externalId: z.string(), name: z.string() }),
  role: z.string(),
  documentType: z.string(),
  training: z.object({ kind: z.enum(['acknowledgement', 'course', 'program']), course: z.string().nullable(), program: z.string().nullable() }),
  credited: z.boolean().meta({ description: 'An author or approver, credited instead of assigned' }),
  dueDate: z.string(),
});

/** A document system's webhook, and the preview of what an approval would assign. */
export function documentEventOperations(db: Db, delivery: CommandDelivery) {
  return [
    operation(
      {
        method: 'post',
        path: '/documents/events',
        summary: 'A document version was approved, became effective, was superseded or withdrawn (a document system’s webhook)',
        tag: 'Documents',
        scope: 'documents:write',
        body: documentEvent,
        responses: {
          202: { description: 'Recorded; the version’s process assigns, tells, reminds and escalates', schema: outcome },
          200: { description: 'The same event again: nothing changed', schema: outcome },
          ...standardErrors,
          409: { description: 'event_id_reused (other content under the same eventId) or document_version_state (the event would move the version backwards)', schema: errorResponse },
          422: { description: 'No such document version', schema: errorResponse },
        },
      },
      async ({ body, principal, actor }) => {
        const result = await recordDocumentEvent(db, delivery, principal.tenantId, actor, { ...body, occurredAt: body.occurredAt ? new Date(body.occurredAt) : undefined });
        return { status: result.duplicate ? 200 : 202, body: result };
      },
    ),
    operation(
      {
        method: 'get',
        path: '/documents/:key/versions/:version/impact',
        summary: 'Who the version’s training would be owed by if it were approved now, and why (role → document type → training)',
        tag: 'Documents',
        scope: 'catalog:read',
        params: z.strictObject({ key: catalogKey, version: versionString }),
        responses: {
          200: { description: 'The gap, explained per person', schema: z.object({ impact: z.string().nullable(), count: z.number().int(), data: z.array(impactRow) }).meta({ id: 'DocumentImpact' }) },
          ...standardErrors,
          404: { description: 'No such document version', schema: errorResponse },
        },
      },
      async ({ params, principal }) => {
        const version = await db.documentVersion.findFirst({ where: { tenantId: principal.tenantId, version: params.version, document: { key: params.key } } });
        if (!version) throw new NotFound('document_version', `${params.key} ${params.version}`);
        const data = version.impact === 'minor' ? [] : await previewGap(db, principal.tenantId, version.id, version.approvedAt ?? new Date());
        return { status: 200, body: { impact: version.impact, count: data.length, data } };
      },
    ),
  ];
}
