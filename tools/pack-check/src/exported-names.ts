// The names a package's src/index.ts exports, split into values and types, read by the
// TypeScript compiler itself (so `export *` and re-exports count exactly as a consumer sees them).
import { join } from 'node:path';
import ts from 'typescript';
import { packageRoot, type PublishedPackage } from './workspace.js';

export interface ExportedNames {
  /** Names with a runtime value (functions, classes, constants): what `import *` shows at run time. */
  readonly values: readonly string[];
  /** Names that are only types. */
  readonly types: readonly string[];
}

/** Reads the exports of every package's index in one program (sorted names). */
export function exportedNames(pkgs: readonly PublishedPackage[]): Map<string, ExportedNames> {
  const entries = pkgs.map((p) => join(packageRoot(p), 'src', 'index.ts'));
  const program = ts.createProgram(entries, {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ['@forkscope/source'],
    strict: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const result = new Map<string, ExportedNames>();
  pkgs.forEach((pkg, i) => {
    const file = program.getSourceFile(entries[i] ?? '');
    const moduleSymbol = file === undefined ? undefined : checker.getSymbolAtLocation(file);
    if (moduleSymbol === undefined) throw new Error(`cannot read the exports of ${entries[i] ?? pkg.dir}`);
    const values: string[] = [];
    const types: string[] = [];
    for (const sym of checker.getExportsOfModule(moduleSymbol)) {
      const target = sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym;
      // `export type { X }` of a class is a type-only name for the consumer, though X has a value.
      const typeOnly = (sym.declarations ?? []).some((d) => ts.isTypeOnlyExportDeclaration(d));
      if (target.flags & ts.SymbolFlags.Value && !typeOnly) values.push(sym.name);
      else types.push(sym.name);
    }
    result.set(pkg.name, { values: values.sort(), types: types.sort() });
  });
  return result;
}
