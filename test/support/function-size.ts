/**
 * The length in lines of every function in a set of TypeScript files,
 * measured on the syntax tree of the installed compiler (TypeScript 7's
 * API, `typescript/unstable/sync`, which parses through the project's own
 * tsconfig): declarations, methods, constructors, accessors, function
 * expressions and arrow functions. A nested function also counts inside its
 * parent.
 */
import { resolve } from 'node:path';
import type { Node, SourceFile } from 'typescript/unstable/ast';
import {
  isArrowFunction,
  isConstructorDeclaration,
  isFunctionDeclaration,
  isFunctionExpression,
  isGetAccessorDeclaration,
  isMethodDeclaration,
  isPropertyAssignment,
  isPropertyDeclaration,
  isSetAccessorDeclaration,
  isVariableDeclaration,
} from 'typescript/unstable/ast/is';
import { API } from 'typescript/unstable/sync';

export interface FunctionSize {
  file: string;
  name: string;
  /** First line (1-based). */
  line: number;
  lines: number;
}

function isFunction(node: Node): boolean {
  return (
    isFunctionDeclaration(node) ||
    isFunctionExpression(node) ||
    isArrowFunction(node) ||
    isMethodDeclaration(node) ||
    isConstructorDeclaration(node) ||
    isGetAccessorDeclaration(node) ||
    isSetAccessorDeclaration(node)
  );
}

function nameOf(node: Node, sf: SourceFile): string {
  if (isConstructorDeclaration(node)) return 'constructor';
  const own = (node as { name?: Node }).name;
  if (own) return own.getText(sf);
  const parent = node.parent;
  if (
    parent &&
    (isVariableDeclaration(parent) ||
      isPropertyAssignment(parent) ||
      isPropertyDeclaration(parent))
  ) {
    return parent.name.getText(sf);
  }
  return '(anonymous)';
}

const newlines = (text: string) => text.split('\n').length - 1;

/** The functions of the files, longest first. */
export function largestFunctions(
  files: readonly string[],
  projectRoot: string,
): FunctionSize[] {
  const config = resolve(projectRoot, 'tsconfig.json');
  const api = new API({ cwd: projectRoot });
  try {
    const snapshot = api.updateSnapshot({ openProjects: [config] });
    const program = snapshot.getProject(config)?.program;
    if (!program) throw new Error(`function-size: cannot open ${config}`);
    const out: FunctionSize[] = [];
    for (const file of files) {
      const sf = program.getSourceFile(resolve(file));
      if (!sf) throw new Error(`function-size: ${file} is not in ${config}`);
      const visit = (node: Node): void => {
        if (isFunction(node) && (node as { body?: Node }).body) {
          const text = node.getText(sf);
          out.push({
            file,
            name: nameOf(node, sf),
            line: newlines(sf.text.slice(0, sf.text.indexOf(text))) + 1,
            lines: newlines(text) + 1,
          });
        }
        node.forEachChild(visit);
      };
      sf.forEachChild(visit);
    }
    return out.sort((a, b) => b.lines - a.lines);
  } finally {
    api.close();
  }
}
