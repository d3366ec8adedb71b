import { Client } from '@temporalio/client';
import { DEFAULT_DATABASE_URL, loadConfig } from '../config';
import { createDb } from '../db/client';
import { scormSettings } from '../services/scorm/settings';
import { Processes } from '../temporal/processes';
import { buildOpenApiDocument } from './openapi';
import { apiOperations } from './operations';

/**
 * The OpenAPI document as the API serves it, built without any service: the database client and
 * the Temporal client connect lazily, and describing operations never calls them.
 */
export function currentOpenApiDocument(serverUrl = 'http://localhost:3000') {
  const db = createDb(DEFAULT_DATABASE_URL);
  const nothingToDeliver = { taskQueue: 'unused', deliverNow: async () => undefined };
  const scorm = scormSettings(loadConfig({}), 'describing operations signs nothing');
  return buildOpenApiDocument(apiOperations(db, new Processes(new Client()), nothingToDeliver, scorm, serverUrl), serverUrl);
}
