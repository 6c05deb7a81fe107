import { isApptokenError } from '@apptoken/core'
import { GraphClientError } from '@microsoft/microsoft-graph-client'

/**
 * Rethrows an apptoken error as the SDK's `GraphClientError`, which the v3 SDK passes through
 * untouched. Any other error thrown inside the chain is rebuilt by the SDK as a `GraphError` from
 * its `error` property: for a `TokenRequestError` that leaves an empty message and no code.
 * The original is the `cause`; its `code` (e.g. `ERR_TOKEN_REQUEST`) is copied.
 */
export function throwAsGraphClientError(error: unknown): never {
  if (!isApptokenError(error)) throw error
  throw Object.assign(new GraphClientError(error.message), { code: error.code, cause: error })
}
