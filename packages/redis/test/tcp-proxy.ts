import { once } from 'node:events'
import { createConnection, createServer, type Socket } from 'node:net'

/** A TCP proxy on loopback in front of a Redis port, that can cut connections mid-command. */
export interface TcpProxy {
  readonly port: number
  /**
   * Cuts the next `count` connections that send a command: the command is forwarded to Redis
   * (it may run), then both sides are closed before the reply comes back. Resolves once all
   * `count` were cut.
   */
  cutMidCommand(count: number): Promise<void>
  close(): Promise<void>
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let toCut = 0
  let onAllCut: (() => void) | undefined
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort })
    sockets.add(client).add(upstream)
    const close = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk)
      if (toCut > 0) {
        toCut--
        // The command goes on to Redis (end() flushes it), the client loses the connection
        // before the reply can come back.
        client.destroy()
        upstream.end()
        if (toCut === 0) onAllCut?.()
      }
    })
    upstream.on('data', (chunk: Buffer) => client.write(chunk))
    client.on('error', close).on('close', close)
    upstream.on('error', close).on('close', close)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port')
  return {
    port: address.port,
    cutMidCommand(count) {
      toCut = count
      return new Promise<void>((resolve) => (onAllCut = resolve))
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      server.close()
      await once(server, 'close')
    },
  }
}
