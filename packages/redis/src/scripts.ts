/**
 * Stores a token unless another replica has meanwhile stored one that lives at least as long.
 * KEYS[1] token key. ARGV: [1] new value, [2] the value read before fetching ('' if none),
 * [3] new expiry (epoch ms), [4] TTL in ms. Reads the expiry from the value's clear header, so it
 * works on encrypted values too. Returns 1 when stored.
 */
export const STORE_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[2] then
  local expires = tonumber(string.match(current, '^%w+%.(%d+)%.'))
  if expires and expires >= tonumber(ARGV[3]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4])
return 1
`

/** Deletes the lock only if this owner still holds it (it may have expired and been retaken). */
export const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`

/** Extends the lock's TTL only if this owner still holds it. ARGV: [1] owner, [2] TTL in ms. */
export const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`
