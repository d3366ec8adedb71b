import { z } from 'zod';
import type { Operation } from './operation';
import { errorResponse } from './schemas/common';

/** Builds the OpenAPI 3.1 document from the operations the routers mount. */
export function buildOpenApiDocument(operations: readonly Operation[], serverUrl: string) {
  const components: Record<string, unknown> = {};
  const jsonSchema = (schema: z.ZodType) => toOpenApiSchema(schema, components);
  // What comes in is also checked for control characters wherever it is text: the document says so,
  // on the input's own schema and on every named schema it refers to (see inputComponents below).
  const inputRefs = new Set<string>();
  const inputSchema = (schema: z.ZodType) => {
    const generated = withoutControlCharacters(jsonSchema(schema));
    for (const ref of refsIn(generated)) inputRefs.add(ref);
    return generated;
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const path = op.path.replace(/:(\w+)/g, '{$1}');
    const pathParameters = op.params
      ? Object.entries(inputSchema(op.params).properties ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema }))
      : [];
    const query = op.query ? inputSchema(op.query) : undefined;
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
        ? { requestBody: { required: !op.body.safeParse({}).success, content: { 'application/json': { schema: inputSchema(op.body) } } } }
        : {}),
      ...(op.upload
        ? {
            requestBody: {
              required: true,
              description: op.upload.description,
              content: Object.fromEntries(op.upload.contentTypes.map((type) => [type, { schema: { type: 'string', contentMediaType: type } }])),
            },
          }
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
  for (const name of reachable(inputRefs, components)) components[name] = withoutControlCharacters(components[name]);
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

const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$';

const REF = '#/components/schemas/';

function refsIn(schema: unknown): string[] {
  const found: string[] = [];
  JSON.stringify(schema, (key, value: unknown) => {
    if (key === '$ref' && typeof value === 'string' && value.startsWith(REF)) found.push(value.slice(REF.length));
    return value;
  });
  return found;
}

/** The named schemas these refer to, and those they refer to in turn. */
function reachable(names: Iterable<string>, components: Record<string, unknown>): Set<string> {
  const seen = new Set<string>();
  const queue = [...names];
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    if (seen.has(name) || !(name in components)) continue;
    seen.add(name);
    queue.push(...refsIn(components[name]));
  }
  return seen;
}

/** Every plain string (no pattern, format, enum or constant of its own) gets the pattern that refuses control characters. */
function withoutControlCharacters<T>(schema: T): T {
  if (Array.isArray(schema)) return schema.map(withoutControlCharacters) as T;
  if (!schema || typeof schema !== 'object') return schema;
  const node = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, withoutControlCharacters(value)])) as Record<string, unknown>;
  const plain = node.type === 'string' && !('pattern' in node) && !('format' in node) && !('enum' in node) && !('const' in node);
  return (plain ? { ...node, pattern: NO_CONTROL_CHARACTERS } : node) as T;
}

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect); named schemas (`.meta({ id })`) move to components. */
function toOpenApiSchema(schema: z.ZodType, components: Record<string, unknown>): JsonSchema {
  const generated = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
  const rewritten = JSON.parse(JSON.stringify(generated).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
  const { $schema: _dialect, $defs, ...rest } = rewritten;
  Object.assign(components, $defs);
  return rest;
}
