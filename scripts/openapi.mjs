// `npm run openapi`: writes each service's request-body validators (api/openapi.validators.cjs)
// from its OpenAPI description (api/openapi.yaml), after `npm run build` (the generator is
// @memo/common's). Run it after changing a description; a test says when it was forgotten.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validatorsCode } from '@memo/common/openapi-code';

const SERVICES = ['memo-service'];
for (const service of SERVICES) {
  const api = fileURLToPath(new URL(`../services/${service}/api/`, import.meta.url));
  writeFileSync(`${api}openapi.validators.cjs`, validatorsCode(readFileSync(`${api}openapi.yaml`, 'utf8')));
  process.stdout.write(`${service}: api/openapi.validators.cjs written\n`);
}
