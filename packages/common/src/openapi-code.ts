/**
 * Writes the request-body validators of an OpenAPI description as code, once, when the
 * description changes (`npm run openapi`), with ajv's standalone mode: the service then loads
 * plain functions at start instead of parsing its YAML and compiling schemas while it runs (which
 * kept ~8 MB more resident in memo-service and cost it ~170 ms of CPU after start:
 * docs/decisions.md, "Request schemas compiled ahead"). A test checks that the file in the
 * repository is what this writes from the description beside it.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { parse } from 'yaml';
import { operationName } from './openapi.js';

interface Operation {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
}

/**
 * The validators of every operation of `yaml` (an OpenAPI 3.1 description) with a JSON request
 * body, as a CommonJS module: `v0`, `v1`, … and `operations`, which names each by operation.
 * Verbose: a failure carries its schema, whose `x-error-code` the service answers with.
 */
export function validatorsCode(yaml: string): string {
  const spec = parse(yaml) as { paths?: Record<string, Record<string, Operation | undefined>> };
  const ajv = new Ajv2020({ strict: false, allErrors: false, verbose: true, code: { source: true } });
  addFormats.default(ajv);
  ajv.addSchema({ ...spec, $id: 'spec' });
  const exported: Record<string, string> = {};
  const operations: Record<string, string> = {};
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      if (operation?.requestBody?.content?.['application/json']?.schema === undefined) continue;
      const name = `v${String(Object.keys(exported).length)}`;
      const pointer = `#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}/requestBody/content/application~1json/schema`;
      ajv.addSchema({ $id: name, $ref: `spec${pointer}` });
      exported[name] = name;
      operations[operationName(method, path)] = name;
    }
  }
  const code = standaloneCode.default(ajv, exported);
  return [
    '// Written by `npm run openapi` from the OpenAPI description beside it: do not edit.',
    code,
    `exports.operations = ${JSON.stringify(operations)};`,
    '',
  ].join('\n');
}
