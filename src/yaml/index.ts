export { YamlFieldError, type YamlFieldErrorCode, type YamlFieldErrorOptions } from './errors';
export { flattenLeaves } from './flatten';
export { deleteField, setFieldRaw, setFieldValue } from './patch';
export { type PathSegment, formatFieldPath, parseFieldPath } from './path';
export { type FieldKind, type FieldReadResult, parseYaml, readField } from './read';
