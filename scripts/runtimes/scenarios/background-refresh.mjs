// Proactive refresh: past refreshAt the cached token is served at once while one background refresh
// runs; its end is awaited as a logged event, time moves on a fake clock.
import assert from 'node:assert/strict'
import { eventLogger, fakeClock, scenario, scopes, startStandIns } from './_support.mjs'

await scenario('background refresh', async () => {
  const time = fakeClock()
  const { authority, provider, close } = await startStandIns({ now: time.now })
  try {
    const events = eventLogger()
    const p = provider({ clock: time.clock, logger: events.logger })
    const first = await p.getToken(scopes)
    assert.ok(first.refreshAt < first.expiresAt)
    time.advance(first.refreshAt - time.now() + 1)
    const acquired = events.next('token_acquired')
    const during = await Promise.all([p.getToken(scopes), p.getToken(scopes), p.getToken(scopes)])
    for (const t of during) {
      assert.equal(t.accessToken, first.accessToken)
      assert.equal(t.fromCache, true)
    }
    await acquired
    const after = await p.getToken(scopes)
    assert.notEqual(after.accessToken, first.accessToken)
    assert.equal(authority.tokenRequests().length, 2)
    assert.equal(p.stats().backgroundRefreshes, 1)
  } finally {
    await close()
  }
})
