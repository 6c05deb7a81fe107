/**
 * DPoP next to Bearer, per adapter: requests/s of axios, ky, got and fetch through the apptoken
 * adapter with a cached Bearer token and with a cached DPoP-bound token (a fresh ES256 proof per
 * request), against a loopback echo server; plus what one proof costs on this machine, and a
 * count check: proofs signed = requests sent (one signature per request, nothing else).
 *
 *   node bench/src/dpop.mjs [--quick] [--json out.json]
 *
 * Bearer and DPoP alternate in short blocks inside one process; each adjacent pair gives a
 * ratio and the median ratio is reported (the throughput section's method).
 */
import { createServer } from 'node:http'
import { writeFileSync } from 'node:fs'
import { clientSecret, createTokenProvider } from '@apptoken/core'
import { median, pool, timeMs } from './harness.mjs'

const quick = process.argv.includes('--quick')
const jsonAt = process.argv.indexOf('--json')
const settings = quick
  ? { pairs: 3, block: 200, concurrency: 50, warmupMs: 200, proofs: 2_000 }
  : { pairs: 9, block: 1_000, concurrency: 50, warmupMs: 2_000, proofs: 20_000 }

const listen = (handler) =>
  new Promise((resolve) => {
    const server = createServer(handler)
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` }))
  })

// Token endpoint: a DPoP-bound token when the request carries a proof, a Bearer token otherwise.
const tokens = await listen((req, res) => {
  req.resume()
  req.on('end', () => {
    const dpop = typeof req.headers.dpop === 'string'
    res.setHeader('content-type', 'application/json')
    res.end(
      JSON.stringify({
        access_token: `eyJhbGciOiJFUzI1NiJ9.${dpop ? 'ZHBvcA' : 'YmVhcmVy'}.c2ln`,
        token_type: dpop ? 'DPoP' : 'Bearer',
        expires_in: 3600,
      }),
    )
  })
})
// Echo server: answers with the two headers it saw.
const echo = await listen((req, res) => {
  req.resume()
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ authorization: req.headers.authorization, dpop: req.headers.dpop }))
})
const origin = echo.url
const echoUrl = `${origin}/echo?x=1`
const make = (dpop) =>
  createTokenProvider({
    tokenEndpoint: `${tokens.url}/token`,
    clientId: 'bench',
    credential: clientSecret('bench-secret-value'),
    dpop,
  })
const bearer = make(false)
const dpop = make(true)
await bearer.getToken('read')
await dpop.getToken('read')

// Count proofs: one per request is the claim.
let proofs = 0
const sign = dpop.dpop.proof.bind(dpop.dpop)
dpop.dpop.proof = (...args) => (proofs++, sign(...args))

const senders = {
  async axios(provider) {
    const { attachAppToken } = await import('@apptoken/axios')
    const { default: axios } = await import('axios')
    const client = axios.create({ baseURL: origin })
    attachAppToken(client, provider, { scopes: 'read' })
    return async () => (await client.get('/echo?x=1')).data
  },
  async ky(provider) {
    const { appToken } = await import('@apptoken/ky')
    const { default: ky } = await import('ky')
    const client = ky.create({ ...appToken(provider, { scopes: 'read', origins: [origin] }) })
    return () => client.get(echoUrl).json()
  },
  async got(provider) {
    const { appToken } = await import('@apptoken/got')
    const { default: got } = await import('got')
    const client = got.extend(appToken(provider, { scopes: 'read', origins: [origin] }))
    return () => client.get(echoUrl).json()
  },
  async fetch(provider) {
    const { withAppToken } = await import('@apptoken/fetch')
    const wrapped = withAppToken(fetch, provider, { scopes: 'read', origins: [origin] })
    return async () => (await wrapped(echoUrl)).json()
  },
}

const rate = async (fn, total, concurrency) => {
  const { ms } = await timeMs(() => pool(new Array(total), concurrency, fn))
  return (total / ms) * 1000
}

async function measure(send, concurrency) {
  const pairs = []
  for (let p = 0; p < settings.pairs; p++) {
    const order = p % 2 === 0 ? ['bearer', 'dpop'] : ['dpop', 'bearer']
    const pair = {}
    for (const v of order) pair[v] = await rate(send[v], settings.block, concurrency)
    pairs.push(pair)
  }
  return {
    bearer: median(pairs.map((p) => p.bearer)),
    dpop: median(pairs.map((p) => p.dpop)),
    ratio: median(pairs.map((p) => p.dpop / p.bearer)),
  }
}

const results = { settings, clients: {} }
for (const [client, build] of Object.entries(senders)) {
  const send = { bearer: await build(bearer), dpop: await build(dpop) }
  const b = await send.bearer()
  const d = await send.dpop()
  if (!b.authorization?.startsWith('Bearer ') || b.dpop !== undefined)
    throw new Error(`${client}: Bearer variant sent ${b.authorization}`)
  if (!d.authorization?.startsWith('DPoP ') || typeof d.dpop !== 'string')
    throw new Error(`${client}: DPoP variant sent no proof`)
  const warmUntil = Date.now() + settings.warmupMs
  while (Date.now() < warmUntil) {
    await rate(send.bearer, 50, settings.concurrency)
    await rate(send.dpop, 50, settings.concurrency)
  }
  const before = proofs
  const seq = await measure(send, 1)
  const signedSeq = proofs - before
  const conc = await measure(send, settings.concurrency)
  results.clients[client] = {
    seq,
    conc,
    // Every DPoP block sends `block` requests: proofs signed per request sent.
    proofsPerRequest: signedSeq / (settings.pairs * settings.block),
  }
  process.stderr.write(`dpop ${client}: seq ${seq.ratio.toFixed(3)}×, conc ${conc.ratio.toFixed(3)}×\n`)
}

// What one ES256 proof costs here (sign + encode), on its own.
{
  const signer = dpop.dpop
  for (let i = 0; i < 500; i++) sign('GET', echoUrl, 'token', Date.now())
  const { ms } = await timeMs(async () => {
    for (let i = 0; i < settings.proofs; i++)
      sign('GET', echoUrl, 'eyJhbGciOiJFUzI1NiJ9.ZHBvcA.c2ln', Date.now())
  })
  results.proofMicros = (ms * 1000) / settings.proofs
  results.algorithm = signer.algorithm
}

const f = (n) => Math.round(n).toLocaleString('en-US')
const lines = [
  `### DPoP next to Bearer through each adapter, requests/s (cached token; ${results.algorithm} proof per request)`,
  '',
  `One ${results.algorithm} proof (sign + encode) costs ${results.proofMicros.toFixed(1)} µs on this machine.`,
  '',
  '| client | Bearer, sequential | DPoP, sequential | DPoP / Bearer | Bearer, 50 in flight | DPoP, 50 in flight | DPoP / Bearer | proofs per request |',
  '| ------ | -----------------: | ---------------: | ------------: | -------------------: | -----------------: | ------------: | -----------------: |',
  ...Object.entries(results.clients).map(
    ([c, r]) =>
      `| ${c} | ${f(r.seq.bearer)} | ${f(r.seq.dpop)} | ${r.seq.ratio.toFixed(2)}× | ${f(r.conc.bearer)} | ${f(r.conc.dpop)} | ${r.conc.ratio.toFixed(2)}× | ${r.proofsPerRequest.toFixed(2)} |`,
  ),
]
console.log(lines.join('\n'))
if (jsonAt !== -1) writeFileSync(process.argv[jsonAt + 1], JSON.stringify(results, null, 2))
await Promise.all([bearer.close(), dpop.close()])
tokens.server.close()
echo.server.closeAllConnections()
echo.server.close()
