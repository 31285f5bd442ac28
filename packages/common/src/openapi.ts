import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { RequestHandler } from 'express';
import { parse } from 'yaml';
import { HttpError } from './errors.js';

/**
 * Request bodies checked against the service's own OpenAPI description, the file it serves and
 * its tests check answers against: one schema says what a route takes. A body outside it is a
 * 400 whose code names what is wrong, in the API's usual words: `<field>_required`,
 * `<field>_not_<type>`, `<field>_empty`, `<field>_invalid`, `invalid_body` for the body as a
 * whole, or the schema's own `x-error-code` (a tag: `tag_invalid`). Checks a schema cannot say
 * (characters counted as people count them, blank text) stay with the route.
 */

interface Operation {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
}

function codeOf(error: ErrorObject): string {
  const own: unknown = error.parentSchema?.['x-error-code'];
  if (typeof own === 'string') return own;
  const field = error.instancePath.split('/').filter(Boolean).at(-1);
  if (error.keyword === 'required') return `${(error.params as { missingProperty: string }).missingProperty}_required`;
  if (field === undefined || /^\d+$/.test(field)) return 'invalid_body';
  if (error.keyword === 'type') return `${field}_not_${(error.params as { type: string }).type}`;
  if (error.keyword === 'minLength') return `${field}_empty`;
  return `${field}_invalid`;
}

/** `/memos/3/text` → `memos[3].text`. */
const where = (pointer: string): string =>
  pointer
    .split('/')
    .filter(Boolean)
    .map((part, i) => (/^\d+$/.test(part) ? `[${part}]` : i === 0 ? part : `.${part}`))
    .join('');

export class RequestSchemas {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: false, verbose: true });
  private readonly paths: Record<string, Record<string, Operation>>;

  constructor(file: string) {
    const spec = parse(readFileSync(file, 'utf8')) as { paths: Record<string, Record<string, Operation>> };
    addFormats.default(this.ajv);
    this.ajv.addSchema({ ...spec, $id: 'spec' });
    this.paths = spec.paths;
  }

  private validator(path: string, method: string): ValidateFunction {
    const schema = this.paths[path]?.[method]?.requestBody?.content?.['application/json']?.schema;
    if (schema === undefined) throw new Error(`the description has no JSON body for ${method.toUpperCase()} ${path}`);
    const pointer = `#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}/requestBody/content/application~1json/schema`;
    return this.ajv.compile({ $ref: `spec${pointer}` });
  }

  /**
   * Checks a parsed JSON body (after jsonBody) against the operation's schema; a text body (an
   * import's Markdown) passes through. `code`: one code for every failure (imports say
   * `invalid_import`, naming the place).
   */
  body(path: string, method: 'post' | 'put', code?: string): RequestHandler {
    const validate = this.validator(path, method);
    return (req, _res, next) => {
      if (typeof req.body === 'string' || validate(req.body)) {
        next();
        return;
      }
      const [error] = validate.errors ?? [];
      if (!error) throw new HttpError(400, code ?? 'invalid_body', 'The body does not match the API description');
      const missing = error.keyword === 'required' ? (error.params as { missingProperty: string }).missingProperty : '';
      const place = where(missing ? `${error.instancePath}/${missing}` : error.instancePath);
      const said = missing ? 'is required' : (error.message ?? 'is not valid');
      const message = `${place === '' ? 'The body' : place} ${said}`;
      throw new HttpError(400, code ?? codeOf(error), message);
    };
  }
}
