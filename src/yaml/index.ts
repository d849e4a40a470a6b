/**
 * Surgical YAML field edits for rollbacks and releases: read one value, replace, insert or
 * delete it, and leave every other byte of the file as it was (comments, quoting, blank lines,
 * key order, indentation, CRLF). Edits splice the source text at the parsed nodes' ranges; a
 * document is never re-serialized.
 *
 * Semantics worth knowing:
 * - Merge keys (`<<: *base`) are honoured. Setting a key a mapping only inherits adds an
 *   override to that mapping; deleting one is refused (UNSUPPORTED_EDIT).
 * - Paths that go through an alias are refused (UNSUPPORTED_EDIT): the edit would change the
 *   anchored node for every alias. Editing the anchored node itself is allowed, and aliases keep
 *   pointing at it, so they see the new value too. An edit that would remove an anchor still
 *   used by an alias is refused.
 * - Explicit tags and anchors written before a value stay in place when the value is replaced.
 * - Raw block text (`readField(...).raw`) does not carry the column its first line had. setFieldRaw
 *   infers it, preferring the reading shaped like the value being replaced; a one-line block
 *   sequence (`- ALL`) put under a key takes its indentation from the file's other sequences.
 * - Only the first document of a multi-document file is read or edited.
 * - Parsed documents are cached by source text, and an edit that stays inside one entry of a block
 *   mapping is parsed through that entry alone (texts.ts, edited.ts). Values are shared and frozen.
 */
export { YamlFieldError, type YamlFieldErrorCode, type YamlFieldErrorOptions } from './errors';
export { flattenLeaves } from './flatten';
export { deleteField, setFieldRaw, setFieldValue } from './patch';
export { type PathSegment, formatFieldPath, parseFieldPath } from './path';
export { type FieldKind, type FieldReadResult, parseYaml, readField } from './read';
export { forgetParsedDocuments, fullParsesInThisThread, rememberAsEditOf } from './texts';
