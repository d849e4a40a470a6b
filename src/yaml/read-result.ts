/** What readField answers (its own module: read.ts and edited.ts both build it). */
export type FieldKind = 'scalar' | 'map' | 'seq';

export type FieldReadResult =
  | { found: false }
  | {
      found: true;
      /** The resolved JS value (aliases and merge keys applied); shared and frozen. */
      value: unknown;
      /** The exact source text of the value node; `''` for a value written as nothing (`key:`). */
      raw: string;
      kind: FieldKind;
    };
