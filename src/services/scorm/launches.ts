import type { DbTx } from '../../db/client';
import { launchToken, type PlayerLinkSettings } from './player-links';

export interface CourseLaunch {
  key: string;
  title: string;
  /** A short-lived link to the SCORM player; null when the course has no package (it is taken elsewhere). */
  launchUrl: string | null;
  /** Where the person's latest attempt stands, if they have one. */
  attempt: { number: number; state: 'open' | 'completed' | 'failed' } | null;
}

/** The courses of each of the person's assigned programs, in program order, with links to play those trainhub hosts. */
export async function courseLaunches(db: DbTx, settings: PlayerLinkSettings, publicUrl: string, tenantId: string, personId: string, now = new Date()): Promise<Map<string, CourseLaunch[]>> {
  const rows = await db.$queryRaw<{ program_key: string; course_id: string; key: string; title: string; playable: boolean; attempt_number: number | null; attempt_state: 'open' | 'completed' | 'failed' | null }[]>`
    SELECT pg.key AS program_key, c.id AS course_id, c.key, c.title,
           EXISTS (SELECT 1 FROM scorm_package sp WHERE sp.tenant_id = c.tenant_id AND sp.course_id = c.id) AS playable,
           att.number AS attempt_number, att.state::text AS attempt_state
      FROM assignment a
      JOIN program pg ON pg.id = a.program_id
      JOIN program_course pc ON pc.program_id = pg.id
      JOIN course c ON c.id = pc.course_id
      LEFT JOIN LATERAL (SELECT number, state FROM scorm_attempt sa
                          WHERE sa.tenant_id = c.tenant_id AND sa.person_id = a.person_id AND sa.course_id = c.id
                          ORDER BY number DESC LIMIT 1) att ON true
     WHERE a.tenant_id = ${tenantId}::uuid AND a.person_id = ${personId}::uuid
     ORDER BY pg.key, pc.position`;
  const byProgram = new Map<string, CourseLaunch[]>();
  for (const row of rows) {
    const launches = byProgram.get(row.program_key) ?? [];
    byProgram.set(row.program_key, launches);
    launches.push({
      key: row.key,
      title: row.title,
      launchUrl: row.playable ? `${publicUrl}/scorm/launch/${launchToken(settings, { tenantId, personId, courseId: row.course_id }, now)}` : null,
      attempt: row.attempt_number === null ? null : { number: row.attempt_number, state: row.attempt_state! },
    });
  }
  return byProgram;
}
