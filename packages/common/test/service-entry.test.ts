import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * `@memo/common/service` is what web-service and naver-stub run on: none of its modules may load
 * the Redis client, the session library or the rate limiter (~12 MB resident a service for code
 * they never run). Read from the sources: every module service.ts reaches by a value import or
 * re-export (type-only ones load nothing), and the packages they name.
 */
const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** The modules a source file loads when it runs: its value imports and re-exports. */
function loads(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(`${SRC}${file}`, 'utf8'), ts.ScriptTarget.Latest);
  return source.statements.flatMap((node) => {
    if (
      ts.isImportDeclaration(node) &&
      node.importClause?.phaseModifier !== ts.SyntaxKind.TypeKeyword &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      return [node.moduleSpecifier.text];
    if (
      ts.isExportDeclaration(node) &&
      !node.isTypeOnly &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      return [node.moduleSpecifier.text];
    return [];
  });
}

function packagesReached(entry: string): { modules: Set<string>; packages: Set<string> } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (modules.has(file)) return;
    modules.add(file);
    for (const specifier of loads(file)) {
      if (specifier.startsWith('./')) visit(specifier.slice(2).replace(/\.js$/, '.ts'));
      else if (!specifier.startsWith('node:')) packages.add(specifier.split('/')[0] ?? specifier);
    }
  };
  visit(entry);
  return { modules, packages };
}

describe('@memo/common/service', () => {
  it('loads neither Redis, sessions nor the rate limiter', () => {
    const { modules, packages } = packagesReached('service.ts');
    expect([...modules]).toEqual(expect.arrayContaining(['http.ts', 'run.ts', 'metrics.ts', 'redis-errors.ts']));
    expect([...packages]).toEqual(expect.arrayContaining(['express', 'helmet', 'prom-client', 'pino']));
    for (const heavy of ['ioredis', 'jose', 'rate-limiter-flexible', 'cluster-key-slot']) {
      expect([...packages], heavy).not.toContain(heavy);
    }
    // The whole of common does load them: the check reads what it says it reads.
    expect([...packagesReached('index.ts').packages]).toEqual(expect.arrayContaining(['ioredis', 'jose']));
  });
});
