/**
 * The layering of functions/, read from the imports the TypeScript compiler
 * itself finds (`SourceFile.imports` of the typescript package's API: static
 * imports, `export … from`, dynamic `import()` and `import('…')` types).
 *
 * - A phase folder (functions/<phase>/) imports only from itself and from
 *   functions/shared, never from another phase folder; functions/shared
 *   imports no phase folder; nothing under functions/ imports infra/ or cli/.
 * - The domain (functions/shared/domain/), the approvals module
 *   (functions/shared/approvals/) and the phase cores import no SDK value:
 *   `import type` only. A phase core is every file of a phase folder
 *   except its handler.ts and local-server.ts, which wire adapters, and the
 *   adapters listed in PHASE_ADAPTERS.
 * - The domain imports nothing outside the domain but npm libraries.
 * - No import cycle among functions/shared files (type-only imports count:
 *   a cycle of types is still a knot to untie when one file moves).
 */
import { readdirSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { SyntaxKind } from 'typescript/unstable/ast';
import { API } from 'typescript/unstable/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * Phase-folder files that are adapters, not cores: they may import SDK
 * values. probe-source/aws-reads.ts wraps the Secrets Manager and MSK
 * clients for probe-source alone (see its header for why it is not in
 * functions/shared/aws); it imports SDK types only today.
 */
const PHASE_ADAPTERS = new Set(['functions/probe-source/aws-reads.ts']);

/** Phase-folder files that wire adapters into a core. */
const WIRING_FILES = new Set(['handler.ts', 'local-server.ts']);

/**
 * Packages that talk to AWS or Kafka: a value import of one means network
 * clients, credentials and their bundle weight.
 */
function isSdkPackage(name: string): boolean {
  return (
    name.startsWith('@aws-sdk/') ||
    name.startsWith('@smithy/') ||
    name.startsWith('@aws-lambda-powertools/') ||
    name === 'aws-msk-iam-sasl-signer-js' ||
    name === '@platformatic/kafka'
  );
}

interface ImportEdge {
  /** Repository-relative path of the importing file (with `/`). */
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** Repository-relative path for a relative import; null for a package. */
  target: string | null;
  /** The package name (`@aws-sdk/client-sfn`, `zod`) for a bare specifier. */
  pkg: string | null;
  typeOnly: boolean;
}

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@')
    ? parts.slice(0, 2).join('/')
    : (parts[0] ?? specifier);
}

/** `functions/<phase>/…` → `<phase>`; null for shared and anything else. */
function phaseOf(file: string): string | null {
  const [top, folder] = file.split('/');
  return top === 'functions' && folder !== undefined && folder !== 'shared'
    ? folder
    : null;
}

const isShared = (file: string) => file.startsWith('functions/shared/');
const isDomain = (file: string) => file.startsWith('functions/shared/domain/');
/** The approvals module: logic over ports, shared by three phases and the CLI. */
const isApprovals = (file: string) =>
  file.startsWith('functions/shared/approvals/');

function isPhaseCore(file: string): boolean {
  if (phaseOf(file) === null) return false;
  const name = file.slice(file.lastIndexOf('/') + 1);
  return !WIRING_FILES.has(name) && !PHASE_ADAPTERS.has(file);
}

/** (a) imports between phase folders, or from shared into a phase folder. */
function crossPhaseImports(edges: ImportEdge[]): string[] {
  const found: string[] = [];
  for (const e of edges) {
    if (e.target === null) continue;
    const into = phaseOf(e.target);
    const from = phaseOf(e.from);
    if (!e.target.startsWith('functions/')) {
      found.push(`${e.from} → ${e.specifier} (outside functions/)`);
    } else if (into !== null && into !== from) {
      found.push(`${e.from} → ${e.specifier}`);
    }
  }
  return found;
}

/**
 * (b) value imports of an SDK package in the domain, the approvals module
 * or a phase core.
 */
function sdkValueImports(edges: ImportEdge[]): string[] {
  return edges
    .filter(
      (e) =>
        e.pkg !== null &&
        isSdkPackage(e.pkg) &&
        !e.typeOnly &&
        (isDomain(e.from) || isApprovals(e.from) || isPhaseCore(e.from)),
    )
    .map((e) => `${e.from} → ${e.specifier}`);
}

/** (c) domain files importing a project file outside the domain. */
function domainEscapes(edges: ImportEdge[]): string[] {
  return edges
    .filter((e) => isDomain(e.from) && e.target !== null && !isDomain(e.target))
    .map((e) => `${e.from} → ${e.specifier}`);
}

/**
 * (d) import cycles among functions/shared files: each strongly connected
 * component of more than one file (or a file importing itself), as its
 * sorted file list. Tarjan's algorithm, written out because it is twenty
 * lines and the project has no graph library.
 */
function sharedCycles(edges: ImportEdge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (e.target === null || !isShared(e.from) || !isShared(e.target)) {
      continue;
    }
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)?.add(e.target);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v) as number);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || next.get(v)?.has(v)) {
      cycles.push(component.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles;
}

function tsFilesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts'))
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

const toRepoPath = (abs: string) => relative(ROOT, abs).split(sep).join('/');

/** Whether the module reference `node` (a string literal) imports types only. */
function isTypeOnlyReference(node: {
  parent: { kind: SyntaxKind } & Record<string, unknown>;
}): boolean {
  const p = node.parent;
  switch (p.kind) {
    case SyntaxKind.ImportDeclaration: {
      const clause = p.importClause as { phaseModifier?: SyntaxKind } | null;
      return clause?.phaseModifier === SyntaxKind.TypeKeyword;
    }
    case SyntaxKind.ExportDeclaration:
      return p.isTypeOnly === true;
    case SyntaxKind.ExternalModuleReference:
      return (p.parent as { isTypeOnly?: boolean }).isTypeOnly === true;
    case SyntaxKind.LiteralType:
      // `import('x').T` in a type position.
      return true;
    default:
      // A dynamic `import('x')` call, or `require('x')`.
      return false;
  }
}

/**
 * One import of `from`. A relative path into node_modules (a bundle alias
 * reaching a package's internals) is an import of that package.
 */
function edgeOf(
  from: string,
  specifier: string,
  typeOnly: boolean,
): ImportEdge {
  if (!specifier.startsWith('.')) {
    return {
      from,
      specifier,
      target: null,
      pkg: specifier.startsWith('node:') ? null : packageOf(specifier),
      typeOnly,
    };
  }
  const target = toRepoPath(resolve(dirname(join(ROOT, from)), specifier));
  const inPackage = target.split('node_modules/')[1];
  return inPackage === undefined
    ? { from, specifier, target, pkg: null, typeOnly }
    : { from, specifier, target: null, pkg: packageOf(inPackage), typeOnly };
}

/**
 * Every import of every .ts file under functions/, as the compiler parses
 * them (the program of the repository's tsconfig.json).
 */
function readImports(api: API): ImportEdge[] {
  const snapshot = api.updateSnapshot({
    openProjects: [join(ROOT, 'tsconfig.json')],
  });
  const project = snapshot.getProjects()[0];
  if (!project) throw new Error('tsconfig.json opened no project');
  const edges: ImportEdge[] = [];
  for (const abs of tsFilesUnder('functions')) {
    const file = project.program.getSourceFile(abs);
    if (!file) {
      throw new Error(`${toRepoPath(abs)} is not in tsconfig.json's program`);
    }
    for (const ref of file.imports) {
      const specifier = (ref as unknown as { text: string }).text;
      edges.push(
        edgeOf(toRepoPath(abs), specifier, isTypeOnlyReference(ref as never)),
      );
    }
  }
  return edges;
}

describe('rules of the checker (on a small made-up graph)', () => {
  const edge = (from: string, specifier: string, typeOnly = false) =>
    edgeOf(from, specifier, typeOnly);

  it('should find an import from one phase folder into another', () => {
    expect(
      crossPhaseImports([
        edge('functions/a/core.ts', '../b/gate.ts'),
        edge('functions/a/core.ts', './local.ts'),
        edge('functions/a/core.ts', '../shared/ports.ts'),
        edge('functions/shared/x.ts', '../a/core.ts'),
        edge('functions/shared/x.ts', '../../infra/stack.ts'),
        edge('functions/shared/x.ts', '../../node_modules/ajv/dist/2020.js'),
      ]),
    ).toEqual([
      'functions/a/core.ts → ../b/gate.ts',
      'functions/shared/x.ts → ../a/core.ts',
      'functions/shared/x.ts → ../../infra/stack.ts (outside functions/)',
    ]);
  });

  it('should find SDK value imports in the domain, approvals and cores, not in handlers or adapters', () => {
    expect(
      sdkValueImports([
        edge('functions/a/core.ts', '@aws-sdk/client-sfn'),
        edge('functions/a/core.ts', '@aws-sdk/client-kafka', true),
        edge('functions/a/handler.ts', '@aws-sdk/client-sfn'),
        edge('functions/probe-source/aws-reads.ts', '@aws-sdk/client-kafka'),
        edge('functions/shared/aws/x.ts', '@aws-sdk/client-sfn'),
        edge('functions/shared/domain/d.ts', '@smithy/types'),
        edge('functions/shared/domain/d.ts', 'zod'),
        edge('functions/shared/approvals/x.ts', '@aws-sdk/client-sfn'),
        edge(
          'functions/shared/domain/e.ts',
          '../../../node_modules/@aws-sdk/client-kafka/dist-es/index.js',
        ),
      ]),
    ).toEqual([
      'functions/a/core.ts → @aws-sdk/client-sfn',
      'functions/shared/domain/d.ts → @smithy/types',
      'functions/shared/approvals/x.ts → @aws-sdk/client-sfn',
      'functions/shared/domain/e.ts → ../../../node_modules/@aws-sdk/client-kafka/dist-es/index.js',
    ]);
  });

  it('should find the domain importing outside the domain, type imports included', () => {
    expect(
      domainEscapes([
        edge('functions/shared/domain/d.ts', '../contracts.ts', true),
        edge('functions/shared/domain/d.ts', './plan.ts'),
        edge('functions/shared/domain/d.ts', 're2js'),
      ]),
    ).toEqual(['functions/shared/domain/d.ts → ../contracts.ts']);
  });

  it('should find a type-only cycle among shared files and ignore a chain', () => {
    expect(
      sharedCycles([
        edge('functions/shared/ports.ts', './domain/r.ts', true),
        edge('functions/shared/domain/r.ts', './m.ts', true),
        edge('functions/shared/domain/m.ts', '../ports.ts', true),
        edge('functions/shared/contracts.ts', './domain/zod.ts'),
        edge('functions/a/core.ts', '../a/core.ts'),
      ]),
    ).toEqual([
      [
        'functions/shared/domain/m.ts',
        'functions/shared/domain/r.ts',
        'functions/shared/ports.ts',
      ],
    ]);
  });
});

describe('layering of functions/', () => {
  let api: API;
  let edges: ImportEdge[];

  beforeAll(() => {
    api = new API({ cwd: ROOT });
    edges = readImports(api);
  });
  afterAll(() => api?.close());

  it('should read the imports of every file (sanity: the parse found them)', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual(
      expect.objectContaining({
        from: 'functions/shared/contracts.ts',
        target: 'functions/shared/domain/zod.ts',
        typeOnly: false,
      }),
    );
  });

  it('should have no import from one phase folder into another', () => {
    expect(crossPhaseImports(edges)).toEqual([]);
  });

  it('should have no SDK value import in the domain, approvals or a phase core', () => {
    expect(sdkValueImports(edges)).toEqual([]);
  });

  it('should keep the domain free of imports from above it', () => {
    expect(domainEscapes(edges)).toEqual([]);
  });

  it('should have no import cycle among functions/shared files', () => {
    expect(sharedCycles(edges)).toEqual([]);
  });
});
