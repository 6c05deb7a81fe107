// @apptoken/redis README quick start: two replicas share one token through Redis (node-redis and
// ioredis), against a redis-server started on a free loopback port.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { clientSecret, createTokenProvider } from '@apptoken/core'
import { redisCache } from '@apptoken/redis'
import { scopes, startStandIns } from '../support.mjs'

const port = await new Promise<number>((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as { port: number }
    probe.close(() => resolve(port))
  })
})
const server = spawn(
  'redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
)
await new Promise<void>((resolve, reject) => {
  server.once('error', reject)
  server.stdout.on(
    'data',
    (chunk: Buffer) => String(chunk).includes('Ready to accept connections') && resolve(),
  )
})

const { authority, api, close } = await startStandIns()
const nodeRedis = await createClient({ url: `redis://127.0.0.1:${port}`, disableOfflineQueue: true })
  .on('error', (e: Error) => console.warn('redis:', e.message))
  .connect()
const ioredis = new Redis(port, '127.0.0.1')
try {
  const encryptionKey = 'a passphrase of sixteen characters or more'
  const replica = (client: object) =>
    createTokenProvider({
      authorityHost: authority.authorityHost,
      tenantId: authority.tenantId,
      clientId: authority.clientId,
      credential: clientSecret(authority.clientSecret),
      cache: redisCache(client, { encryptionKey }),
    })
  const [a, b] = [replica(nodeRedis), replica(ioredis)]
  const first = await a.getToken(scopes)
  const second = await b.getToken(scopes)
  assert.equal(second.accessToken, first.accessToken, "the second replica reads the first one's token")
  assert.equal(authority.tokenRequests().length, 1)
  const res = await fetch(`${api.url}/api/todolist`, {
    headers: { authorization: `Bearer ${second.accessToken}` },
  })
  assert.equal(res.status, 200)
  await Promise.all([a.close(), b.close()])
} finally {
  await nodeRedis.quit()
  ioredis.disconnect()
  await close()
  server.kill()
  await once(server, 'exit')
}
