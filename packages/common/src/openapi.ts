import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
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
 * The validators are code written from the description ahead of time (`api/openapi.validators.cjs`,
 * by `npm run openapi`: openapi-code.ts), loaded at start: no YAML parser, no schema compiler
 * and no compiling while the service runs. Only memo-service imports this (`@memo/common/openapi`).
 */

/** What openapi-code.ts writes: a validator per operation, named by `operations`. */
interface Validators {
  operations: Record<string, string>;
  [name: string]: unknown;
}

const isValidator = (value: unknown): value is ValidateFunction => typeof value === 'function';

/** `post /{id}`: how an operation is named in the validators' `operations` (openapi-code.ts writes it). */
export const operationName = (method: string, path: string): string => `${method} ${path}`;

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
  readonly #validators: Validators;

  /** `file`: the validators written from the description (api/openapi.validators.cjs). */
  constructor(file: string) {
    this.#validators = createRequire(file)(file) as Validators;
  }

  /** The validator of an operation's JSON body; an operation the description gives none is an error at start. */
  #validator(path: string, method: string): ValidateFunction {
    const name = this.#validators.operations[operationName(method, path)];
    const validate = name === undefined ? undefined : this.#validators[name];
    if (!isValidator(validate)) throw new Error(`the description has no JSON body for ${method.toUpperCase()} ${path}`);
    return validate;
  }

  /**
   * Checks a parsed JSON body (after jsonBody) against the operation's schema; a text body (an
   * import's Markdown) passes through. `code`: one code for every failure (imports say
   * `invalid_import`, naming the place).
   */
  body(path: string, method: 'post' | 'put', code?: string): RequestHandler {
    const validate = this.#validator(path, method);
    return (req, _res, next: NextFunction) => {
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
