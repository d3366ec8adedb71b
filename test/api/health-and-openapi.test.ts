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
    expect(Object.keys(body.paths).sort()).toEqual(['/completions', '/hr/events', '/people/{id}/assignments']);

    const hire = body.paths['/hr/events'].post;
    expect(hire['x-required-scope']).toBe('hr:write');
    expect(Object.keys(hire.responses).sort()).toEqual(['200', '202', '400', '401', '403', '409', '422', '503']);
    expect(hire.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/HrEvent' });
    expect(body.components.schemas.HrEvent.oneOf).toContainEqual({ $ref: '#/components/schemas/TransferEvent' });
    const person = body.components.schemas.HireEvent.properties.person;
    expect(person.required).toEqual(expect.arrayContaining(['externalId', 'email', 'name', 'hireDate', 'roles']));
    expect(person.properties.email.format).toBe('email');

    const assignments = body.paths['/people/{id}/assignments'].get;
    expect(assignments.parameters).toEqual([expect.objectContaining({ name: 'id', in: 'path', required: true })]);
    expect(body.components.securitySchemes.apiKey.scheme).toBe('bearer');
  });
});
