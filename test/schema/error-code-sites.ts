/**
 * Where src/ sets error codes, read from the syntax tree (TypeScript's parser, no type checking):
 * the codes given to error classes, `code:` properties (GraphQL `extensions` and the like), `code`
 * class fields, code-typed unions and `*_CODES` tables. What cannot be read as a literal is listed as
 * a dynamic site, for the test to account for.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { sourceFiles } from '../architecture/import-graph';

export interface CodeSite {
  code: string;
  /** `file:line` under src/. */
  where: string;
  /** The HTTP-like status the site gives the code, when it says. */
  status: number | null;
}

export interface DynamicSite {
  where: string;
  /** The source text of the expression that yields the code. */
  text: string;
}

const CODE = /^[A-Z][A-Z0-9_]{2,}$/;

/** The string literals an expression can evaluate to (through conditionals, `??`, `||` and parentheses); null if it can be anything else. */
function literals(node: ts.Expression): string[] | null {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)) return literals(node.expression);
  if (ts.isConditionalExpression(node)) {
    const [a, b] = [literals(node.whenTrue), literals(node.whenFalse)];
    return a && b ? [...a, ...b] : null;
  }
  return null;
}

/** Literals among the branches of an expression, ignoring branches that are not literals (e.g. `error.code ?? 'X'`). */
function someLiterals(node: ts.Expression): string[] {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) return someLiterals(node.expression);
  if (ts.isConditionalExpression(node)) return [...someLiterals(node.whenTrue), ...someLiterals(node.whenFalse)];
  if (ts.isBinaryExpression(node)) return [...someLiterals(node.left), ...someLiterals(node.right)];
  return [];
}

const numberOf = (node: ts.Expression | undefined) => (node && ts.isNumericLiteral(node) ? Number(node.text) : null);

function unionLiterals(type: ts.TypeNode | undefined): string[] {
  if (!type) return [];
  if (ts.isUnionTypeNode(type)) return type.types.flatMap(unionLiterals);
  if (ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal)) return [type.literal.text];
  return [];
}

interface ErrorClass {
  /** The constructor's first parameter is the code (`new BadRequestError('CODE', …)`). */
  codeFirst: boolean;
  /** The status its constructor passes on, when fixed. */
  status: number | null;
}

export function scanErrorCodes(srcDir: string): { sites: CodeSite[]; dynamic: DynamicSite[] } {
  const files = sourceFiles(srcDir).map((file) => ({
    name: path.relative(srcDir, file),
    source: ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true),
  }));
  const sites: CodeSite[] = [];
  const dynamic: DynamicSite[] = [];

  // Error classes first: which take a code, and with which status.
  const classes = new Map<string, ErrorClass>();
  for (const { source } of files) {
    const visit = (node: ts.Node): void => {
      if (ts.isClassDeclaration(node) && node.name) {
        const ctor = node.members.find(ts.isConstructorDeclaration);
        const first = ctor?.parameters[0]?.name;
        let status: number | null = null;
        const findSuper = (n: ts.Node): void => {
          if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.SuperKeyword) status = numberOf(n.arguments[2]) ?? status;
          ts.forEachChild(n, findSuper);
        };
        if (ctor) findSuper(ctor);
        classes.set(node.name.text, { codeFirst: first !== undefined && ts.isIdentifier(first) && first.text === 'code', status });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }

  for (const { name, source } of files) {
    const where = (node: ts.Node) => `${name}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const add = (codes: string[], node: ts.Node, status: number | null) => {
      for (const code of codes) if (CODE.test(code)) sites.push({ code, where: where(node), status });
    };
    const addDynamic = (node: ts.Node) => dynamic.push({ where: where(node), text: node.getText(source) });
    let classStatus: number | null = null;

    const visit = (node: ts.Node): void => {
      const outerStatus = classStatus;
      if (ts.isClassDeclaration(node) && node.name) classStatus = classes.get(node.name.text)?.status ?? null;

      // new SomeError('CODE', …) and super('CODE', …, status)
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && classes.get(node.expression.text)?.codeFirst && node.arguments?.[0]) {
        const cls = classes.get(node.expression.text)!;
        const codes = literals(node.arguments[0]);
        if (codes) add(codes, node, cls.status ?? numberOf(node.arguments[2]));
        else addDynamic(node.arguments[0]);
      }
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword && node.arguments[0]) {
        const codes = literals(node.arguments[0]);
        if (codes) add(codes, node, numberOf(node.arguments[2]));
      }
      // { code: 'CODE', status: 400 } (GraphQL extensions, gate results)
      if (ts.isObjectLiteralExpression(node)) {
        const status = node.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(source) === 'status');
        for (const property of node.properties) {
          if (ts.isPropertyAssignment(property) && property.name.getText(source) === 'code') {
            const codes = literals(property.initializer);
            if (codes) add(codes, property, numberOf(status?.initializer));
            else addDynamic(property.initializer);
          } else if (ts.isShorthandPropertyAssignment(property) && property.name.text === 'code') {
            addDynamic(property);
          }
        }
      }
      // readonly code = 'CODE' in an error class
      if (ts.isPropertyDeclaration(node) && node.name.getText(source) === 'code' && node.initializer) {
        add(literals(node.initializer) ?? [], node, classStatus);
      }
      // const code = … 'CODE' …
      if (ts.isVariableDeclaration(node) && node.name.getText(source) === 'code' && node.initializer) add(someLiterals(node.initializer), node, null);
      // type FooCode = 'A' | 'B'; (code: 'A' | 'B') parameters and properties
      if (ts.isTypeAliasDeclaration(node) && node.name.text.endsWith('Code')) add(unionLiterals(node.type), node, null);
      if ((ts.isParameter(node) || ts.isPropertySignature(node)) && node.name.getText(source) === 'code') add(unionLiterals(node.type), node, null);
      // const LIMIT_CODES = [[/…/, 'CODE'], …]
      if (ts.isVariableDeclaration(node) && /_CODES$/.test(node.name.getText(source)) && node.initializer) {
        const collect = (n: ts.Node): void => {
          if (ts.isStringLiteral(n)) add([n.text], n, null);
          ts.forEachChild(n, collect);
        };
        collect(node.initializer);
      }
      ts.forEachChild(node, visit);
      classStatus = outerStatus;
    };
    visit(source);
  }
  return { sites, dynamic };
}
