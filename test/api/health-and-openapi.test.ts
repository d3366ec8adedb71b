import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startHarness, type Harness } from '../support/harness';
import { apiClient } from '../support/http';

/** Operators can see that trainhub and its services are up; integrators can read the API's contract. */
describe('health checks and the OpenAPI document', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  test('the API, its database and its workflow engine report healthy, without an API key', async () => {
    const anonymous = apiClient(h.baseUrl);
    for (const path of ['/health', '/health/db', '/health/temporal']) {
      expect(await anonymous.get(path)).toEqual({ status: 200, body: { status: 'ok' } });
    }
  });

  test('the OpenAPI 3.1 document describes every operation with its scope, body and errors', async () => {
    const { status, body } = await apiClient(h.baseUrl).get('/api/v1/openapi.json');

    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths).sort()).toEqual([
      '/api-keys',
      '/api-keys/{id}/revoke',
      '/api-keys/{id}/rotate',
      '/approval-chains/{kind}',
      '/approvals/inbox',
      '/approvals/{id}/decision',
      '/assignments/{id}/waive',
      '/certificate-policy',
      '/certificates/import',
      '/certificates/{id}',
      '/certificates/{id}/pdf',
      '/certificates/{id}/revoke',
      '/certification-requirements',
      '/certification-requirements/{id}',
      '/certifications',
      '/certifications/{key}',
      '/certifications/{key}/holders',
      '/completions',
      '/completions/batch',
      '/courses',
      '/courses/{key}',
      '/courses/{key}/scorm-packages',
      '/courses/{key}/scorm-packages/{version}',
      '/document-types',
      '/document-types/{key}',
      '/documents',
      '/documents/events',
      '/documents/{key}',
      '/documents/{key}/versions',
      '/documents/{key}/versions/{version}',
      '/documents/{key}/versions/{version}/acknowledgements',
      '/documents/{key}/versions/{version}/acknowledgements.csv',
      '/documents/{key}/versions/{version}/impact',
      '/documents/{key}/versions/{version}/trainings',
      '/hcm-connectors',
      '/hcm-connectors/{name}',
      '/hcm-connectors/{name}/pull',
      '/hr/events',
      '/import-policy',
      '/import-profiles',
      '/import-profiles/{name}',
      '/imports',
      '/imports/{id}',
      '/imports/{id}/cancel',
      '/imports/{id}/confirm',
      '/imports/{id}/errors.csv',
      '/lrs-clients',
      '/lrs-clients/{id}/revoke',
      '/notification-policy',
      '/operations/{id}',
      '/people/{id}/assignments',
      '/people/{id}/certificates',
      '/people/{id}/compliance',
      '/people/{id}/documents',
      '/people/{id}/scorm-attempts',
      '/programs',
      '/programs/{key}',
      '/progress',
      '/renewal-policy',
      '/renewals',
      '/renewals/{id}',
      '/renewals/{id}/audit',
      '/renewals/{id}/audit.csv',
      '/renewals/{id}/cancel',
      '/renewals/{id}/resubmit',
      '/requirements',
      '/requirements/{id}',
      '/roles',
      '/roles/{key}',
      '/scorm-attempts/{id}',
      '/training-matrix/sync',
      '/xapi/mappings',
      '/xapi/mappings/{id}',
      '/xapi/stats',
      '/xapi/unmapped',
    ]);

    // A SCORM package is uploaded as the zip itself, not as JSON.
    const upload = body.paths['/courses/{key}/scorm-packages'].post;
    expect(Object.keys(upload.requestBody.content)).toEqual(['application/zip', 'application/x-zip-compressed', 'application/octet-stream']);
    expect(Object.keys(upload.responses)).toEqual(expect.arrayContaining(['201', '404', '413', '415', '422']));

    const hire = body.paths['/hr/events'].post;
    expect(hire['x-required-scope']).toBe('hr:write');
    expect(Object.keys(hire.responses).sort()).toEqual(['200', '202', '400', '401', '403', '409', '422']);
    expect(hire.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/HrEvent' });
    expect(body.components.schemas.HrEvent.oneOf).toContainEqual({ $ref: '#/components/schemas/TransferEvent' });
    const person = body.components.schemas.HireEvent.properties.person;
    expect(person.required).toEqual(expect.arrayContaining(['externalId', 'email', 'name', 'hireDate', 'roles']));
    expect(person.properties.email.format).toBe('email');

    const assignments = body.paths['/people/{id}/assignments'].get;
    expect(assignments.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
    expect(body.components.securitySchemes.apiKey.scheme).toBe('bearer');
  });

  test('the catalog operations document their scopes, paging parameters, bodies and conflicts', async () => {
    const { body } = await apiClient(h.baseUrl).get('/api/v1/openapi.json');

    const list = body.paths['/requirements'].get;
    expect(list['x-required-scope']).toBe('catalog:read');
    expect(list.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`).sort()).toEqual([
      'query:cursor',
      'query:limit',
      'query:program',
      'query:role',
    ]);
    const program = body.paths['/programs'].post;
    expect(program['x-required-scope']).toBe('catalog:write');
    expect(Object.keys(program.responses).sort()).toEqual(['201', '400', '401', '403', '409', '422']);
    expect(body.components.schemas.ProgramInput.required).toEqual(expect.arrayContaining(['key', 'title', 'courses']));
    expect(body.components.schemas.ProgramInput.additionalProperties).toBe(false);
    expect(body.paths['/roles/{key}'].delete.parameters).toEqual([expect.objectContaining({ name: 'key', in: 'path', required: true })]);
    expect(Object.keys(body.paths['/roles/{key}'].delete.responses)).toEqual(expect.arrayContaining(['204', '404', '409']));
    expect(body.components.schemas.RequirementInput.properties.dueOffsetDays).toMatchObject({ type: 'integer', minimum: 0 });
    expect(Object.keys(body.paths['/notification-policy']).sort()).toEqual(['get', 'put']);
    // Matrix changes answer with an operation, and take an Idempotency-Key.
    const sync = body.paths['/training-matrix/sync'].post;
    expect(Object.keys(sync.responses).sort()).toEqual(['202', '400', '401', '403', '409']);
    expect(sync.parameters).toEqual([expect.objectContaining({ name: 'idempotency-key', in: 'header', required: false })]);
    expect(body.paths['/requirements/{id}'].delete.responses['202'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/OperationAccepted' });
  });

  test('the committed docs/openapi.json is the document the API serves (regenerate: tsx scripts/openapi.ts)', async () => {
    const { body } = await apiClient(h.baseUrl).get('/api/v1/openapi.json');
    const committed = JSON.parse(readFileSync(path.resolve(__dirname, '../../docs/openapi.json'), 'utf8'));
    const { servers: _served, ...served } = body;
    const { servers: _documented, ...documented } = committed;
    expect(served).toEqual(documented);
  });
});
