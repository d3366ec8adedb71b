import { z } from 'zod';
import type { ProgressCommand } from '../../services/onboarding/assignment-changes';
import { completionSchema, toPersonReference } from './completion';
import { moment, text } from './common';

/** An LMS reports that a course was started, or how far it got. */
export const progressSchema = z
  .strictObject({
    source: text(100),
    person: completionSchema.shape.person,
    courseKey: text(100),
    status: z.enum(['started', 'in_progress']),
    progress: z.number().int().min(0).max(100).optional().meta({ description: 'Percent of the course done' }),
    reportedAt: moment(0).optional(),
  })
  .meta({ id: 'ProgressReport' });

export type ProgressReport = z.output<typeof progressSchema>;

export function toProgressCommand(report: ProgressReport, receivedAt: Date): ProgressCommand {
  return {
    source: report.source,
    person: toPersonReference(report.person),
    courseKey: report.courseKey,
    progress: report.progress,
    reportedAt: report.reportedAt ? new Date(report.reportedAt) : receivedAt,
  };
}
