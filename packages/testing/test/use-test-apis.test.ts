import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { TEST_API_AUDIENCE, useTestApis, type TestAuthority } from '../src/index.js'
import { bearer, get, postToken, secretForm } from './support.js'

const SCOPE = `${TEST_API_AUDIENCE}/.default`

/** A stand-in for a token provider: the kit only needs `close()`. */
class FakeProvider {
  closed = false
  constructor(readonly authority: TestAuthority) {}
  async close(): Promise<void> {
    this.closed = true
  }
}

/** Hooks under `node:test`'s names, run by hand: the whole lifecycle in one test. */
function capturedHooks() {
  type Body = () => Promise<void> | void
  const hooks: Record<'before' | 'after' | 'beforeEach' | 'afterEach', Body> = {
    before: () => {},
    after: () => {},
    beforeEach: () => {},
    afterEach: () => {},
  }
  const register = (name: keyof typeof hooks) => (body: Body) => void (hooks[name] = body)
  return {
    hooks,
    runner: {
      before: register('before'),
      after: register('after'),
      beforeEach: register('beforeEach'),
      afterEach: register('afterEach'),
    },
  }
}

describe('useTestApis with vitest hooks', () => {
  const s = useTestApis(
    { beforeAll, afterAll, beforeEach, afterEach },
    { createProvider: (authority) => new FakeProvider(authority) },
  )
  const seen: FakeProvider[] = []

  it('starts the servers before the tests and gives each test a provider for the authority', async () => {
    seen.push(s.provider)
    expect(s.provider.authority).toBe(s.authority)
    expect(s.ca).toBeUndefined()
    const { access_token: token } = (await postToken(s.authority, secretForm(s.authority, SCOPE))).body
    expect((await get(`${s.api.url}/api/todolist`, bearer(token))).status).toBe(200)
    expect((await get(`${s.other.url}/api/todolist`)).status).toBe(401)
  })

  it('resets the servers and makes a fresh provider before each test, closing the last one', () => {
    expect(s.provider).not.toBe(seen[0])
    expect(seen[0]?.closed).toBe(true)
    expect(s.provider.closed).toBe(false)
    expect([s.authority.requests, s.api.requests, s.other.requests]).toEqual([[], [], []])
  })
})

describe('useTestApis with node:test hook names', () => {
  it('starts in before, resets and makes a provider in beforeEach, closes in afterEach and after', async () => {
    const { hooks, runner } = capturedHooks()
    const s = useTestApis(runner, { https: true, createProvider: (authority) => new FakeProvider(authority) })
    expect(() => s.api).toThrow(
      'useTestApis: api is set by the before-all hook; read it inside a test or a hook',
    )

    await hooks.before()
    expect(s.ca).toMatch(/^-----BEGIN CERTIFICATE-----\n/)
    expect(s.api.url).toMatch(/^https:\/\//)
    expect(() => s.provider).toThrow('useTestApis: provider is set by the beforeEach hook')
    await get(`${s.authority.jwksUri}`)

    await hooks.beforeEach()
    const provider = s.provider
    expect(s.authority.requests).toEqual([])
    await hooks.afterEach()
    expect(provider.closed).toBe(true)
    expect(() => s.provider).toThrow(/provider is set by the beforeEach hook/)

    const { authorityHost } = s.authority
    await hooks.after()
    await expect(fetch(`${authorityHost}/discovery/v2.0/keys`)).rejects.toThrow(/fetch failed/)
    expect(() => s.authority).toThrow(/authority is set by the before-all hook/)
  })

  it('without beforeEach leaves the servers as the tests left them', async () => {
    const { hooks, runner } = capturedHooks()
    const s = useTestApis({ before: runner.before, after: runner.after })
    await hooks.before()
    try {
      await get(`${s.api.url}/public/ping`)
      await hooks.beforeEach() // registered by nobody: a no-op
      expect(s.api.requests).toHaveLength(1)
      expect('provider' in s).toBe(false)
    } finally {
      await hooks.after()
    }
  })

  it('refuses hooks it cannot run with', () => {
    const { runner } = capturedHooks()
    expect(() => useTestApis({ beforeAll: runner.before })).toThrow(TypeError)
    expect(() => useTestApis({ beforeEach: runner.beforeEach })).toThrow(/beforeAll, afterAll/)
    expect(() =>
      useTestApis(
        { before: runner.before, after: runner.after, beforeEach: runner.beforeEach },
        { createProvider: (authority) => new FakeProvider(authority) },
      ),
    ).toThrow('useTestApis with createProvider needs the beforeEach and afterEach hooks too')
  })
})
