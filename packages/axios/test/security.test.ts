import { useTestApis } from '@apptoken/testing'
import axios, { type AxiosError, type AxiosInstance } from 'axios'
import axios18 from 'axios18'
import { inspect } from 'node:util'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { attachAppToken } from '../src/index.js'
import { SCOPE, providerFor } from './support.js'

type Create = (config?: {
  baseURL?: string
  adapter?: string
  redact?: string[]
  maxRedirects?: number
}) => AxiosInstance
interface Client {
  name: string
  create: Create
  /** axios 1.21 has `redact` (for `toJSON`) and `env.fetch`, so its fetch adapter can tell where a 401 came from. */
  modern: boolean
}
const clients: Client[] = [
  { name: 'axios 1.21', create: (config) => axios.create(config as never), modern: true },
  {
    name: 'axios 1.8',
    create: (config) => axios18.create(config as never) as unknown as AxiosInstance,
    modern: false,
  },
]

describe.each(clients)('attachAppToken with $name: secrets and foreign 401s', ({ create, modern }) => {
  // `other` plays the foreign origin: a second API, on another port, that must never get the token.
  const s = useTestApis({ beforeAll, afterAll, beforeEach, afterEach }, { createProvider: providerFor })

  const client = (config: Parameters<Create>[0] = {}) => {
    const instance = create({ baseURL: s.api.url, ...config })
    attachAppToken(instance, s.provider, { scopes: SCOPE })
    return instance
  }
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail('expected an AxiosError'),
      (error: unknown) => error as AxiosError,
    )

  it.each(['http', 'fetch'])(
    'util.inspect of a failed request (%s adapter) shows the token only as axios’ own Authorization header',
    async (adapter) => {
      s.api.rejectAlways(true)
      const error = await failure(client({ adapter }).get('/api/todolist'))
      expect(error.response?.status).toBe(401)
      const sent = s.api.requests.map((r) => r.token!)
      // axios 1.8's fetch adapter cannot tell where a 401 came from: no retry there.
      expect(sent).toHaveLength(modern || adapter === 'http' ? 2 : 1)
      const printed = inspect(error, { depth: 8 })
      for (const token of sent) {
        // axios keeps the header it sent (config.headers, the request): that is axios' business.
        // apptoken adds no copy of its own, anywhere on the config or the error.
        expect(printed.replaceAll(`Bearer ${token}`, 'Bearer [sent]')).not.toContain(token)
        expect(inspect({ ...error.config, headers: undefined }, { depth: 8 })).not.toContain(token)
      }
    },
  )

  // axios 1.8 has no `redact`: the README says so.
  if (modern)
    it('masks the token in AxiosError#toJSON() (axios’ redact), adding to a redact list of the caller’s own', async () => {
      const error = await failure(client().get('/api/redirect'))
      expect(error.response?.status).toBe(400)
      expect(JSON.stringify(error.toJSON())).not.toContain(s.api.requests[0]!.token!)
      // A list the caller chose keeps its keys and gains the header; the defaults stay theirs.
      const own = create({ baseURL: s.api.url, redact: ['password'] })
      attachAppToken(own, s.provider, { scopes: SCOPE })
      const theirs = await failure(own.get('/api/redirect', { params: { password: 'hunter2' } }))
      const json = JSON.stringify(theirs.toJSON())
      expect(json).not.toContain(s.api.requests[1]!.token!)
      expect(json).not.toContain('hunter2')
      expect(own.defaults).toMatchObject({ redact: ['password'] })
    })

  it.each(['http', 'fetch'])(
    'an allowed origin redirecting to another that answers 401 (%s adapter) forces no refresh and no replay',
    async (adapter) => {
      const to = encodeURIComponent(`${s.other.url}/api/echo`)
      const error = await failure(client({ adapter }).get(`/api/redirect?to=${to}`))
      expect(error.response?.status).toBe(401)
      expect(s.other.requests.map((r) => [r.status, r.headers.authorization])).toEqual([[401, undefined]])
      expect(s.api.requests.map((r) => r.status)).toEqual([302])
      expect(s.authority.tokenRequests()).toHaveLength(1)
    },
  )

  it('with the fetch adapter and maxRedirects: 0, a 401 another origin sent after a redirect forces no refresh', async () => {
    // axios 1.8's fetch adapter ignores maxRedirects and follows the redirect (1.21 does not).
    const to = encodeURIComponent(`${s.other.url}/api/echo`)
    const error = await failure(client({ adapter: 'fetch', maxRedirects: 0 }).get(`/api/redirect?to=${to}`))
    expect(error.response?.status).toBe(modern ? 302 : 401)
    expect(s.other.requests.map((r) => r.headers.authorization)).toEqual(modern ? [] : [undefined])
    expect(s.authority.tokenRequests()).toHaveLength(1)
  })

  // axios 1.8's fetch adapter cannot tell where a 401 came from, so it is not retried there.
  if (modern)
    it('with the fetch adapter, a 401 from the API itself is still retried once', async () => {
      const instance = client({ adapter: 'fetch' })
      await instance.get('/api/todolist')
      s.api.revoke(s.api.requests[0]!.token!)
      expect((await instance.get('/api/todolist')).status).toBe(200)
      expect(s.api.requests.map((r) => r.status)).toEqual([200, 401, 200])
      expect(s.authority.tokenRequests()).toHaveLength(2)
    })
})
