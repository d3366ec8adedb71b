/**
 * Writes the OpenAPI document the API serves to docs/openapi.json, so the contract can be read and
 * diffed without running trainhub. A test fails when the committed file is out of date.
 *
 *   node_modules/.bin/tsx scripts/openapi.ts
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { currentOpenApiDocument } from '../src/api/openapi-document';

const file = path.resolve(__dirname, '..', 'docs', 'openapi.json');
writeFileSync(file, `${JSON.stringify(currentOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${file}`);
