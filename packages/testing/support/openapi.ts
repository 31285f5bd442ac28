import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/**
 * Checks answers against a service's OpenAPI 3.1 description: the path and method must be
 * described (an undescribed path may only be a 404 in the error shape), the status must be
 * one of the operation's (or its `default`), the content type one it names, and a JSON body
 * must match the schema. `installOpenApiCheck` puts this in front of `fetch` for one service,
 * so every answer an API test receives from it is checked; one that is not described fails
 * the test.
 */

interface MediaType {
  schema?: unknown;
}
interface Operation {
  responses: Record<string, { content?: Record<string, MediaType>; $ref?: string }>;
}
interface Spec {
  paths: Record<string, Record<string, Operation>>;
  components: { responses?: Record<string, { content?: Record<string, MediaType> }> };
}

export interface OpenApiCheck {
  check(method: string, path: string, status: number, type: string, body: string): void;
}

export function openApiCheck(file: string): OpenApiCheck {
  const spec = parse(readFileSync(file, 'utf8')) as Spec;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ ...spec, $id: 'spec' });
  // Literal paths before templated ones ("/export" before "/{id}").
  const routes = Object.entries(spec.paths)
    .map(([template, item]) => ({
      template,
      item,
      regex: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^{}]+\}/g, '[^/]+')}$`),
      literal: !template.includes('{'),
    }))
    .sort((a, b) => Number(b.literal) - Number(a.literal));
  const validators = new Map<string, ReturnType<Ajv2020['compile']>>();
  const validatorFor = (pointer: string): ReturnType<Ajv2020['compile']> => {
    let v = validators.get(pointer);
    if (!v) {
      v = ajv.compile({ $ref: `spec#${pointer}` });
      validators.set(pointer, v);
    }
    return v;
  };
  const errorPointer = '/components/schemas/Error';

  return {
    check(method, target, status, type, body) {
      // The services read a leading `//` as `/` (some gateways rewrite a prefix to it).
      const path = target.replace(/^\/+/, '/');
      const m = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
      const route = routes.find((r) => r.regex.test(path) && r.item[m]);
      const media = type.split(';')[0]?.trim() ?? '';
      const json = (pointer: string): void => {
        if (method.toUpperCase() === 'HEAD' || body === '') return;
        const validate = validatorFor(pointer);
        if (!validate(JSON.parse(body))) {
          throw new Error(
            `${method} ${path} ${String(status)}: body outside ${pointer}: ${ajv.errorsText(validate.errors)}\n${body.slice(0, 300)}`,
          );
        }
      };
      if (!route) {
        // Not described: only "no such resource" (or method) in the error shape.
        if (status !== 404 && status !== 405 && status !== 401 && status !== 403) {
          throw new Error(`${method} ${path} answered ${String(status)}: no such operation is described`);
        }
        if (media === 'application/json') json(errorPointer);
        return;
      }
      const responses = route.item[m]?.responses ?? {};
      const key = String(status) in responses ? String(status) : 'default';
      const response = responses[key];
      if (!response) throw new Error(`${method} ${route.template}: status ${String(status)} is not described`);
      const described = response.$ref ? spec.components.responses?.[response.$ref.split('/').pop() ?? ''] : response;
      const pointerBase = response.$ref
        ? `/components/responses/${response.$ref.split('/').pop() ?? ''}/content`
        : `/paths/${route.template.replace(/~/g, '~0').replace(/\//g, '~1')}/${m}/responses/${key}/content`;
      const content = described?.content;
      if (!content || body === '' || method.toUpperCase() === 'HEAD') {
        // (A redirect may carry a short note for browsers that do not follow it.)
        if (!content && body !== '' && (status < 300 || status >= 400))
          throw new Error(`${method} ${route.template} ${String(status)}: a body where none is described`);
        return;
      }
      if (!(media in content)) {
        throw new Error(
          `${method} ${route.template} ${String(status)}: ${media} is not among ${Object.keys(content).join(', ')}`,
        );
      }
      if (media === 'application/json' && content[media]?.schema) {
        json(`${pointerBase}/${media.replace(/\//g, '~1')}/schema`);
      }
    },
  };
}

/**
 * Wraps `fetch` so that every answer from `base()` (a service's URL, known once it started)
 * is checked against the description. Returns the function that puts `fetch` back.
 */
export function installOpenApiCheck(file: string, base: () => string): () => void {
  const checker = openApiCheck(file);
  const original = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const res = await original(input, init);
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const root = base();
    if (root && url.href.startsWith(root)) {
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      const body = Buffer.from(await res.clone().arrayBuffer()).toString('utf8');
      const type = res.headers.get('content-type') ?? '';
      checker.check(
        method,
        url.pathname.slice(new URL(root).pathname.replace(/\/$/, '').length) || '/',
        res.status,
        type,
        type.startsWith('application/zip') ? '' : body,
      );
    }
    return res;
  };
  return () => {
    globalThis.fetch = original;
  };
}

/** The operations a description names, as `METHOD /path/{param}`, sorted. */
export function describedOperations(file: string): string[] {
  const spec = parse(readFileSync(file, 'utf8')) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(spec.paths)
    .flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => key !== 'parameters')
        .map((method) => `${method.toUpperCase()} ${path}`),
    )
    .sort();
}

/** The operations an express router has, as its own stack lists them (`:id` as `{id}`), sorted. */
export function routerOperations(router: { stack: unknown[] }): string[] {
  const stack = router.stack as { route?: { path: string; methods: Record<string, boolean> } }[];
  return stack
    .flatMap((layer) =>
      layer.route
        ? Object.keys(layer.route.methods).map(
            (method) => `${method.toUpperCase()} ${layer.route?.path.replace(/:(\w+)/g, '{$1}') ?? ''}`,
          )
        : [],
    )
    .sort();
}
