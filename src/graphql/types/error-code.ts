/** The ErrorCode enum: every `extensions.code` the server returns, for clients to generate types from. */
import { ERROR_CODES } from '../error-codes';
import { builder } from '../builder';

builder.enumType('ErrorCode', {
  description:
    'Every `extensions.code` the server can return. Errors with one of the server\'s own codes also carry `extensions.status`, an HTTP-like status (given first in each description).',
  values: Object.fromEntries(Object.entries(ERROR_CODES).map(([code, info]) => [code, { value: code, description: `${info.status}: ${info.meaning}` }])),
});
