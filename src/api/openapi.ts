import { z } from 'zod';
import type { Operation } from './operation';
import { errorResponse } from './schemas/common';

/** Builds the OpenAPI 3.1 document from the operations the routers mount. */
export function buildOpenApiDocument(operations: readonly Operation[], serverUrl: string) {
  const components: Record<string, unknown> = {};
  const jsonSchema = (schema: z.ZodType) => toOpenApiSchema(schema, components);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const path = op.path.replace(/:(\w+)/g, '{$1}');
    const pathParameters = op.params
      ? Object.entries(jsonSchema(op.params).properties ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema }))
      : [];
    const query = op.query ? jsonSchema(op.query) : undefined;
    const queryParameters = Object.entries(query?.properties ?? {}).map(([name, schema]) => ({
      name,
      in: 'query',
      required: ((query?.required as string[] | undefined) ?? []).includes(name),
      schema,
    }));
    const headers = op.headers ? jsonSchema(op.headers) : undefined;
    const headerParameters = Object.entries(headers?.properties ?? {}).map(([name, schema]) => ({
      name,
      in: 'header',
      required: ((headers?.required as string[] | undefined) ?? []).includes(name),
      schema,
    }));
    const parameters = op.params || op.query || op.headers ? [...pathParameters, ...queryParameters, ...headerParameters] : undefined;
    paths[path] ??= {};
    paths[path][op.method] = {
      summary: op.summary,
      tags: [op.tag],
      security: [{ apiKey: [op.scope] }],
      'x-required-scope': op.scope,
      ...(parameters ? { parameters } : {}),
      ...(op.body
        ? { requestBody: { required: !op.body.safeParse({}).success, content: { 'application/json': { schema: jsonSchema(op.body) } } } }
        : {}),
      responses: Object.fromEntries(
        Object.entries(op.responses).map(([status, response]) => [
          status,
          {
            description: response.description,
            ...(response.schema ? { content: { [response.contentType ?? 'application/json']: { schema: jsonSchema(response.schema) } } } : {}),
          },
        ]),
      ),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'trainhub API',
      version: '1',
      description:
        'Integration API for compliance training. Authenticate with an API key: `Authorization: Bearer <key>`. ' +
        'Errors are `{ "error": { "code", "message", "details" } }`.',
    },
    servers: [{ url: `${serverUrl}/api/v1` }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'A tenant API key (th_...)' } },
      schemas: { Error: jsonSchema(errorResponse), ...components },
    },
    paths,
  };
}

type JsonSchema = { properties?: Record<string, unknown> } & Record<string, unknown>;

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect); named schemas (`.meta({ id })`) move to components. */
function toOpenApiSchema(schema: z.ZodType, components: Record<string, unknown>): JsonSchema {
  const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
  const rewritten = JSON.parse(JSON.stringify(generated).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
  const { $schema: _dialect, $defs, ...rest } = rewritten;
  Object.assign(components, $defs);
  return rest;
}
