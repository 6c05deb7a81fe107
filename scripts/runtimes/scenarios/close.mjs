// close(): ends a request in flight and every later token request with ERR_CLOSED, may be called twice,
// and leaves nothing that keeps the process alive (keep-alive sockets, timers): the runner checks
// that this process exits by itself.
import assert from 'node:assert/strict'
import { scenario, scopes, startStandIns } from './_support.mjs'

await scenario('close()', async () => {
  const { authority, provider, close } = await startStandIns()
  try {
    const p = provider()
    await p.getToken(scopes) // a keep-alive connection to the authority now exists
    authority.failNext({ delayMs: 60_000 })
    const pending = p.getToken(scopes, { forceRefresh: true }).catch((e) => e)
    await p.close()
    await p.close()
    assert.equal((await pending).code, 'ERR_CLOSED')
    const later = await p.getToken(scopes, { forceRefresh: true }).catch((e) => e)
    assert.equal(later.code, 'ERR_CLOSED')
  } finally {
    await close()
  }
})
