/** Imports every type module (each registers itself on the builder) and builds the schema. */
import { builder } from './builder';
import './types/enums';
import './types/user';
import './types/project';
import './types/tenant-environment';
import './types/deployment';
import './types/revision-diff';

export const schema = builder.toSchema({ sortSchema: true });
