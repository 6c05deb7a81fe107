/**
 * Child task: requests/s of one HTTP client against the loopback echo server, with the apptoken
 * adapter and with a static `Authorization` header, sequential and `concurrency` in flight.
 * Static and adapter alternate in short blocks inside one process, so drift hits both alike.
 */
import { CLIENTS, SCOPE } from '../config.mjs'
import { createContender } from '../contenders.mjs'
import { median, pool, timeMs } from '../harness.mjs'

export async function throughput({ client, env, echoUrl, settings }) {
  const { provider, close } = await createContender('apptoken', env)
  const token = await provider.getToken(SCOPE)
  const header = `Bearer ${token.accessToken}`
  const origin = new URL(echoUrl).origin
  const adapter = await import(CLIENTS[client])
  const send = await senders[client](adapter, provider, { header, origin, echoUrl })

  // Each variant's first answer proves the header arrived (the echo server reports it).
  for (const [variant, fn] of Object.entries(send)) {
    const seen = await fn()
    if (seen.authorization !== header)
      throw new Error(`${client} ${variant}: the echo server did not see the token`)
  }

  const rate = async (fn, total, concurrency) => {
    const { ms } = await timeMs(() => pool(new Array(total), concurrency, fn))
    return (total / ms) * 1000
  }
  // Warm both paths (JIT, keep-alive sockets) before anything counts.
  const warmUntil = Date.now() + settings.warmupMs
  while (Date.now() < warmUntil) {
    await rate(send.static, 50, settings.concurrency)
    await rate(send.adapter, 50, settings.concurrency)
  }
  // Adjacent static/adapter blocks form a pair; the ratio of each pair cancels slow drift in
  // machine load, and the median over pairs drops the blocks a noisy neighbour disturbed.
  const measure = async (size, concurrency) => {
    const pairs = []
    for (let p = 0; p < settings.pairs; p++) {
      const order = p % 2 === 0 ? ['static', 'adapter'] : ['adapter', 'static']
      const pair = {}
      for (const v of order) pair[v] = await rate(send[v], size, concurrency)
      pairs.push(pair)
    }
    return {
      static: median(pairs.map((p) => p.static)),
      adapter: median(pairs.map((p) => p.adapter)),
      ratio: median(pairs.map((p) => p.adapter / p.static)),
    }
  }
  const seq = await measure(settings.sequentialBlock, 1)
  const conc = await measure(settings.concurrentBlock, settings.concurrency)
  await close()
  return {
    staticSeq: seq.static,
    adapterSeq: seq.adapter,
    ratioSeq: seq.ratio,
    staticConc: conc.static,
    adapterConc: conc.adapter,
    ratioConc: conc.ratio,
  }
}

/** For each client: a sender with a static header and one with the apptoken adapter; both resolve to the echoed headers. */
const senders = {
  async axios({ attachAppToken }, provider, { header, origin }) {
    const { default: axios } = await import('axios')
    const plain = axios.create({ baseURL: origin, headers: { Authorization: header } })
    const withToken = axios.create({ baseURL: origin })
    attachAppToken(withToken, provider, { scopes: SCOPE })
    return {
      static: async () => (await plain.get('/echo')).data,
      adapter: async () => (await withToken.get('/echo')).data,
    }
  },
  async 'axios A/A (static vs static)'(_adapter, _provider, { header, origin }) {
    const { default: axios } = await import('axios')
    const one = axios.create({ baseURL: origin, headers: { Authorization: header } })
    const other = axios.create({ baseURL: origin, headers: { Authorization: header } })
    return {
      static: async () => (await one.get('/echo')).data,
      adapter: async () => (await other.get('/echo')).data,
    }
  },
  async ky({ appToken }, provider, { header, origin, echoUrl }) {
    const { default: ky } = await import('ky')
    const plain = ky.create({ headers: { authorization: header } })
    const withToken = ky.create({ ...appToken(provider, { scopes: SCOPE, origins: [origin] }) })
    return {
      static: () => plain.get(echoUrl).json(),
      adapter: () => withToken.get(echoUrl).json(),
    }
  },
  async 'ky (vs no-op hooks)'({ appToken }, provider, { header, origin, echoUrl }) {
    const { default: ky } = await import('ky')
    const noop = () => undefined
    const plain = ky.create({
      headers: { authorization: header },
      hooks: { beforeRequest: [noop], afterResponse: [noop] },
    })
    const withToken = ky.create({ ...appToken(provider, { scopes: SCOPE, origins: [origin] }) })
    return {
      static: () => plain.get(echoUrl).json(),
      adapter: () => withToken.get(echoUrl).json(),
    }
  },
  async undici({ appTokenInterceptor }, provider, { header, origin, echoUrl }) {
    const { Agent, request } = await import('undici')
    const agent = new Agent()
    const intercepted = new Agent().compose(
      appTokenInterceptor(provider, { scopes: SCOPE, origins: [origin] }),
    )
    return {
      static: async () =>
        (await request(echoUrl, { headers: { authorization: header }, dispatcher: agent })).body.json(),
      adapter: async () => (await request(echoUrl, { dispatcher: intercepted })).body.json(),
    }
  },
  async got({ appToken }, provider, { header, origin, echoUrl }) {
    const { default: got } = await import('got')
    const plain = got.extend({ headers: { authorization: header } })
    const withToken = got.extend(appToken(provider, { scopes: SCOPE, origins: [origin] }))
    return {
      static: () => plain.get(echoUrl).json(),
      adapter: () => withToken.get(echoUrl).json(),
    }
  },
  async 'got (vs no-op hooks)'({ appToken }, provider, { header, origin, echoUrl }) {
    const { default: got } = await import('got')
    const plain = got.extend({
      headers: { authorization: header },
      // The adapter's kinds: a handler, and beforeRedirect/beforeRetry hooks (which a plain GET never runs).
      handlers: [(options, next) => next(options)],
      hooks: { beforeRedirect: [() => undefined], beforeRetry: [() => undefined] },
    })
    const withToken = got.extend(appToken(provider, { scopes: SCOPE, origins: [origin] }))
    return {
      static: () => plain.get(echoUrl).json(),
      adapter: () => withToken.get(echoUrl).json(),
    }
  },
  async fetch({ withAppToken }, provider, { header, origin, echoUrl }) {
    const wrapped = withAppToken(fetch, provider, { scopes: SCOPE, origins: [origin] })
    return {
      static: async () => (await fetch(echoUrl, { headers: { authorization: header } })).json(),
      adapter: async () => (await wrapped(echoUrl)).json(),
    }
  },
}
