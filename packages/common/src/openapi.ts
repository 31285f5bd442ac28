import { readFileSync } from 'node:fs';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { NextFunction, RequestHandler } from 'express';
import { HttpError } from './errors.js';

/**
 * Request bodies checked against the service's own OpenAPI description, the file it serves and
 * its tests check answers against: one schema says what a route takes. A body outside it is a
 * 400 whose code names what is wrong, in the API's usual words: `<field>_required`,
 * `<field>_not_<type>`, `<field>_empty`, `<field>_invalid`, `invalid_body` for the body as a
 * whole, or the schema's own `x-error-code` (a tag: `tag_invalid`). Checks a schema cannot say
 * (characters counted as people count them, blank text) stay with the route.
 *
 * ajv, its formats and the YAML parser load, and the schemas compile, after the service is up
 * (`WARM_AFTER_MS`, or at the first request that needs them): at start they cost memo-service
 * ~300 ms before it was ready. Only memo-service imports this (`@memo/common/openapi`).
 */

/** When the schemas are compiled, unless a request needs them first. */
export const WARM_AFTER_MS = 500;

interface Loaded {
  ajv: Ajv2020;
  paths: Record<string, Record<string, Operation>>;
}

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
  private loading: Promise<Loaded> | undefined;

  constructor(private readonly file: string) {
    setTimeout(() => void this.load(), WARM_AFTER_MS).unref();
  }

  private load(): Promise<Loaded> {
    this.loading ??= (async () => {
      const [{ Ajv2020 }, { default: addFormats }, { parse }] = await Promise.all([
        import('ajv/dist/2020.js'),
        import('ajv-formats'),
        import('yaml'),
      ]);
      const spec = parse(readFileSync(this.file, 'utf8')) as { paths: Record<string, Record<string, Operation>> };
      const ajv = new Ajv2020({ strict: false, allErrors: false, verbose: true });
      addFormats.default(ajv);
      ajv.addSchema({ ...spec, $id: 'spec' });
      return { ajv, paths: spec.paths };
    })();
    return this.loading;
  }

  private async validator(path: string, method: string): Promise<ValidateFunction> {
    const { ajv, paths } = await this.load();
    const schema = paths[path]?.[method]?.requestBody?.content?.['application/json']?.schema;
    if (schema === undefined) throw new Error(`the description has no JSON body for ${method.toUpperCase()} ${path}`);
    const pointer = `#/paths/${path.replaceAll('~', '~0').replaceAll('/', '~1')}/${method}/requestBody/content/application~1json/schema`;
    return ajv.compile({ $ref: `spec${pointer}` });
  }

  /** Loads and compiles now (tests; a service lets the timer do it). Rejects for an undescribed body. */
  async ready(path: string, method: 'post' | 'put'): Promise<void> {
    await this.validator(path, method);
  }

  /**
   * Checks a parsed JSON body (after jsonBody) against the operation's schema; a text body (an
   * import's Markdown) passes through. `code`: one code for every failure (imports say
   * `invalid_import`, naming the place).
   */
  body(path: string, method: 'post' | 'put', code?: string): RequestHandler {
    let compiled: Promise<ValidateFunction> | undefined;
    let validate: ValidateFunction | undefined;
    const check = (valid: ValidateFunction, body: unknown, next: NextFunction): void => {
      if (valid(body)) {
        next();
        return;
      }
      const [error] = valid.errors ?? [];
      if (!error) throw new HttpError(400, code ?? 'invalid_body', 'The body does not match the API description');
      const missing = error.keyword === 'required' ? (error.params as { missingProperty: string }).missingProperty : '';
      const place = where(missing ? `${error.instancePath}/${missing}` : error.instancePath);
      const said = missing ? 'is required' : (error.message ?? 'is not valid');
      const message = `${place === '' ? 'The body' : place} ${said}`;
      throw new HttpError(400, code ?? codeOf(error), message);
    };
    // Synchronous once compiled: no promise per request on the add's hot path.
    return (req, _res, next) => {
      if (typeof req.body === 'string') {
        next();
        return;
      }
      if (validate) {
        check(validate, req.body, next);
        return;
      }
      return (compiled ??= this.validator(path, method)).then((loaded) => {
        validate = loaded;
        check(loaded, req.body, next);
      });
    };
  }
}
