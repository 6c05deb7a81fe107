import * as undici8 from 'undici'
import * as undici7 from 'undici7'
import { afterEach, describe, expect, it } from 'vitest'
import { appTokenInterceptor } from '../src/index.js'
import { scopes, useServers } from './fixtures.js'

// The token goes where undici really connects: the dispatch's `origin`. These spellings put the
// allowed origin in the *path* of a request to another origin ("EVIL", a second local API that
// records every Authorization it gets); a check on `new URL(path, origin)` sent them the token.

const s = useServers()

type Undici = typeof undici8
const versions: [string, Undici][] = [
  ['undici 8', undici8],
  ['undici 7', undici7 as unknown as Undici],
]

describe.each(versions)('appTokenInterceptor with %s sends no token to another origin', (_name, undici) => {
  const dispatchers: { close(): Promise<void> }[] = []
  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((d) => d.close()))
  })
  /** `redirect: 'outside'` puts undici's redirect interceptor outside apptoken's (sees every hop). */
  const dispatcher = (redirect: 'none' | 'outside' | 'inside' = 'none') => {
    const auth = appTokenInterceptor(s.provider, { scopes, origins: [s.api.origin] })
    const follow = undici.interceptors.redirect({ maxRedirections: 3 })
    const agent = new undici.Agent()
    const d =
      redirect === 'none'
        ? agent.compose(auth)
        : redirect === 'outside'
          ? agent.compose(auth, follow)
          : agent.compose(follow, auth)
    dispatchers.push(d)
    return d
  }
  const apiHost = () => new URL(s.api.origin).host
  /** EVIL's URL whose path names the allowed origin: `http://EVIL//127.0.0.1:API/api/echo`. */
  const evilUrl = () => `${s.other.origin}//${apiHost()}/api/echo`
  const evilAuthorizations = () => s.other.requests.map((r) => r.headers.authorization)
  const drain = async (res: { body: { text(): Promise<string> } }) => void (await res.body.text())

  it('request(`http://EVIL//api/...`): no token, and EVIL’s 401 forces no refresh', async () => {
    s.other.rejectAlways(true)
    const res = await undici.request(evilUrl(), { dispatcher: dispatcher() })
    await drain(res)
    expect(res.statusCode).toBe(401)
    expect(s.other.requests.map((r) => r.path)).toEqual([`//${apiHost()}/api/echo`])
    expect(evilAuthorizations()).toEqual([undefined])
    expect(s.authority.tokenRequests()).toHaveLength(0)
  })

  it.each([
    ['a backslash path', () => `/\\${apiHost()}/api/echo`],
    ['a scheme-relative path', () => `//${apiHost()}/api/echo`],
    ['an absolute-form path', () => `${s.api.origin}/api/echo`],
    ['a scheme-relative path with userinfo', () => `//user@${apiHost()}/api/echo`],
  ])('dispatcher.request({ origin: EVIL, path: %s }): no token', async (_kind, path) => {
    s.other.rejectAlways(true)
    const res = await dispatcher().request({ origin: s.other.origin, path: path(), method: 'GET' })
    await drain(res)
    expect(evilAuthorizations()).toEqual([undefined])
    expect(s.authority.tokenRequests()).toHaveLength(0)
  })

  it('dispatcher.request({ origin: API, path: absolute EVIL URL }) sends no token to the API either', async () => {
    // undici would send `GET http://EVIL/... HTTP/1.1` to the API: a proxy-style request-target.
    const res = await dispatcher().request({
      origin: s.api.origin,
      path: `${s.other.origin}/api/echo`,
      method: 'GET',
    })
    await drain(res)
    expect(s.api.requests.map((r) => r.headers.authorization)).toEqual([undefined])
    expect(s.authority.tokenRequests()).toHaveLength(0)
  })

  it('undici fetch(`http://EVIL//api/...`): no token', async () => {
    s.other.rejectAlways(true)
    const res = await undici.fetch(evilUrl(), { dispatcher: dispatcher() })
    await res.text()
    expect(res.status).toBe(401)
    expect(evilAuthorizations()).toEqual([undefined])
    expect(s.authority.tokenRequests()).toHaveLength(0)
  })

  it.each([
    ['outside', 'request'],
    ['inside', 'request'],
    ['none', 'fetch'],
    ['outside', 'fetch'],
  ] as const)(
    'an open redirect on the API to `EVIL//api/...` (redirect interceptor %s, %s): no token to EVIL',
    async (redirect, via) => {
      s.other.rejectAlways(true)
      const to = encodeURIComponent(evilUrl())
      const url = `${s.api.url}/api/redirect?to=${to}`
      const d = dispatcher(redirect)
      const status =
        via === 'request'
          ? await undici.request(url, { dispatcher: d }).then(async (r) => (await drain(r), r.statusCode))
          : await undici.fetch(url, { dispatcher: d }).then(async (r) => (await r.text(), r.status))
      expect(status).toBe(401)
      expect(s.api.requests.map((r) => [r.status, r.token !== undefined])).toEqual([[302, true]])
      expect(evilAuthorizations()).toEqual([undefined])
      // EVIL's 401 is not the API's: no forced refresh, no replay.
      expect(s.authority.tokenRequests()).toHaveLength(1)
    },
  )

  it('a redirect to another origin answering 401 forces no refresh (redirect interceptor inside)', async () => {
    const to = encodeURIComponent(`${s.other.url}/api/echo`)
    const res = await undici.request(`${s.api.url}/api/redirect?to=${to}`, {
      dispatcher: dispatcher('inside'),
    })
    await drain(res)
    expect(res.statusCode).toBe(401)
    expect(s.other.requests.map((r) => [r.status, r.headers.authorization])).toEqual([[401, undefined]])
    expect(s.api.requests).toHaveLength(1)
    expect(s.authority.tokenRequests()).toHaveLength(1)
  })

  it('a path the API itself gets as `//...` carries no token (it is not origin-form)', async () => {
    const res = await undici.request(`${s.api.url}//api/echo`, { dispatcher: dispatcher() })
    await drain(res)
    expect(s.api.requests.map((r) => r.headers.authorization)).toEqual([undefined])
    // An ordinary path still gets it.
    await drain(await undici.request(`${s.api.url}/api/echo`, { dispatcher: dispatcher() }))
    expect(s.api.requests[1]!.token).toMatch(/^ey/)
  })
})

describe("Node's global fetch after setGlobalDispatcher", () => {
  const modern = Symbol.for('undici.globalDispatcher.2')
  const legacy = Symbol.for('undici.globalDispatcher.1')
  const slots = globalThis as unknown as Record<symbol, unknown>
  let saved: [unknown, unknown] | undefined
  afterEach(async () => {
    const current = undici8.getGlobalDispatcher()
    if (saved !== undefined) [slots[modern], slots[legacy]] = saved
    saved = undefined
    await current.close()
  })

  it('sends no token to `http://EVIL//api/...`, and the API still gets one', async () => {
    saved = [slots[modern], slots[legacy]]
    undici8.setGlobalDispatcher(
      new undici8.Agent().compose(appTokenInterceptor(s.provider, { scopes, origins: [s.api.origin] })),
    )
    s.other.rejectAlways(true)
    const host = new URL(s.api.origin).host
    const evil = await fetch(`${s.other.origin}//${host}/api/echo`)
    await evil.text()
    expect(evil.status).toBe(401)
    expect(s.other.requests.map((r) => r.headers.authorization)).toEqual([undefined])
    expect(s.authority.tokenRequests()).toHaveLength(0)
    const ok = await fetch(`${s.api.url}/api/todolist`)
    await ok.text()
    expect(ok.status).toBe(200)
    expect(s.authority.tokenRequests()).toHaveLength(1)
  })
})
