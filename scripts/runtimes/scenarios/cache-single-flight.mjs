// One request per need: concurrent callers share one token request (forced or not), later callers
// get the cached token, and a caller's abort ends only its own wait.
import assert from 'node:assert/strict'
import { scenario, scopes, startStandIns } from './_support.mjs'

await scenario('cache and single-flight', async () => {
  const { authority, provider, close } = await startStandIns()
  try {
    const p = provider()
    const first = await Promise.all(Array.from({ length: 20 }, () => p.getToken(scopes)))
    assert.equal(new Set(first.map((t) => t.accessToken)).size, 1)
    assert.equal(authority.tokenRequests().length, 1)
    const cached = await p.getToken(scopes)
    assert.equal(cached.fromCache, true)
    assert.equal(cached.accessToken, first[0].accessToken)

    authority.failNext({ delayMs: 300 }) // the forced request is slow: callers pile up on it
    const controller = new AbortController()
    const aborted = p.getToken(scopes, { forceRefresh: true, signal: controller.signal }).catch((e) => e)
    const forced = Array.from({ length: 10 }, () => p.getToken(scopes, { forceRefresh: true }))
    controller.abort()
    assert.equal((await aborted).code, 'ERR_ABORTED')
    const refreshed = await Promise.all(forced)
    assert.equal(new Set(refreshed.map((t) => t.accessToken)).size, 1)
    assert.notEqual(refreshed[0].accessToken, first[0].accessToken)
    assert.equal(authority.tokenRequests().length, 2)
    assert.equal((await p.getToken(scopes)).accessToken, refreshed[0].accessToken)
  } finally {
    await close()
  }
})
