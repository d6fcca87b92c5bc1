// Writes json-schema/<Name>.json for every record, from the built package (run after tsup).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordSchemas, toJsonSchema } from '../dist/index.js';

const outputDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', 'json-schema');
mkdirSync(outputDirectory, { recursive: true });
for (const name of Object.keys(recordSchemas)) {
  writeFileSync(join(outputDirectory, `${name}.json`), `${JSON.stringify(toJsonSchema(name), null, 2)}\n`);
}
console.log(`wrote ${Object.keys(recordSchemas).length} JSON Schemas to json-schema/`);
