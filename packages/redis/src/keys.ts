import { createHash } from 'node:crypto'

/** The Redis keys of one cache entry. */
export interface EntryKeys {
  /** `<prefix>{<hash>}`: the token value. */
  token: string
  /** `<prefix>{<hash>}:lock`: held by the replica fetching a new token. */
  lock: string
}

/**
 * Names the Redis keys of a provider cache key (authority|client|tenant|scopes). The SHA-256
 * keeps names short and does not spell out tenants or scopes; the braces are a Redis Cluster
 * hash tag, so a token and its lock always live on the same node.
 */
export function entryKeys(prefix: string, cacheKey: string): EntryKeys {
  const id = createHash('sha256').update(cacheKey, 'utf8').digest('base64url')
  const token = `${prefix}{${id}}`
  return { token, lock: `${token}:lock` }
}
