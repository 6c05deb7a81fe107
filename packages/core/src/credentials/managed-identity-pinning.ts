import { createHash } from 'node:crypto'
import { isIP } from 'node:net'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import { NetworkError } from '../errors.js'
import { undiciWorks } from '../fetch-transport.js'
import { createHttpTransport, type HttpTransport } from '../http.js'
import type { Clock } from '../types.js'

const failures = new WeakSet<object>()

/** True for the error of a connection whose server certificate did not match the pin: never retried. */
export const isPinFailure = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && failures.has(error)

/** SHA-1 of the certificate's DER, lower-case hex: how Service Fabric states a thumbprint. */
export const sha1Thumbprint = (der: Buffer): string => createHash('sha1').update(der).digest('hex')

interface ConnectOptions {
  hostname: string
  port: string
  servername?: string | null
}
type Callback = (...args: [null, TLSSocket] | [Error, null]) => void

/**
 * A connector that accepts exactly the server certificate whose SHA-1 thumbprint is `pin` (the
 * chain is not checked: Service Fabric's certificate is self-signed). The check runs on every
 * new connection, after the handshake and before the socket is handed to undici, so no request
 * byte reaches a server that presents another certificate. No TLS session is reused.
 */
function pinnedConnector(pin: string, label: string) {
  return (options: ConnectOptions, callback: Callback): void => {
    const host = options.hostname.replace(/^\[|\]$/g, '')
    const socket = tlsConnect({
      host,
      port: Number(options.port) || 443,
      ...(isIP(host) === 0 ? { servername: options.servername ?? host } : {}),
      rejectUnauthorized: false,
    })
    let settled = false
    const settle = (error: Error | null): void => {
      if (settled) return
      settled = true
      socket.off('error', settle)
      if (error) {
        socket.destroy()
        callback(error, null)
      } else callback(null, socket)
    }
    socket.once('error', settle)
    socket.once('secureConnect', () => {
      const der = socket.getPeerCertificate(true).raw as Buffer | undefined
      const actual = der === undefined ? undefined : sha1Thumbprint(der)
      if (actual === pin) return settle(null)
      const error = new NetworkError(
        `${label} presented a TLS certificate whose SHA-1 thumbprint (${actual ?? 'none'}) is not IDENTITY_SERVER_THUMBPRINT (${pin}); nothing was sent. ` +
          'Check that IDENTITY_SERVER_THUMBPRINT is the one Service Fabric set for this node, and that nothing intercepts the connection.',
      )
      failures.add(error)
      settle(error)
    })
  }
}

/** An HTTP transport whose connections accept only the pinned certificate (Node's undici required). */
export async function pinnedTransport(pin: string, label: string, clock: Clock): Promise<HttpTransport> {
  const undici = await import('undici').catch(() => undefined)
  // Where undici cannot dispatch (Bun), the transport would fall back to fetch, which cannot pin: refuse.
  if (undici === undefined || !undiciWorks(undici)) {
    const error = new NetworkError(
      `${label} needs undici on Node.js to pin its certificate, and undici cannot dispatch here; nothing was sent`,
    )
    failures.add(error)
    throw error
  }
  const agent = new undici.Agent({ connect: pinnedConnector(pin, label), keepAliveTimeout: 30_000 })
  return createHttpTransport({ dispatcher: agent, timeoutMs: 10_000, maxBodyBytes: 1024 * 1024, clock })
}
