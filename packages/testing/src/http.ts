import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleepFor } from 'node:timers/promises'

/**
 * PEM certificate and private key for serving https instead of http.
 *
 * @example
 * ```ts
 * const cert = await createTestCertificate({ hosts: ['127.0.0.1', 'localhost'] })
 * const authority = await startTestAuthority({ https: { cert: cert.certificate, key: cert.privateKey } })
 * ```
 */
export interface TlsOptions {
  cert: string
  key: string
}

/** Options every server shares. */
export interface ListenOptions {
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number
  /** Serve https with this certificate and key. */
  https?: TlsOptions
}

/** Largest request body accepted (1 MiB); larger ones get 413. */
export const MAX_BODY_BYTES = 1024 * 1024

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>

export interface RunningServer {
  /** `http://127.0.0.1:port` (or https), no trailing slash. */
  origin: string
  /** Aborted by `close()`, so pending delays end at once. */
  signal: AbortSignal
  close(): Promise<void>
}

export class PayloadTooLargeError extends Error {}

/** Starts a server bound to 127.0.0.1 only. */
export async function listen(handler: Handler, options: ListenOptions = {}): Promise<RunningServer> {
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    handler(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy()
      else if (error instanceof PayloadTooLargeError)
        sendJson(
          res,
          413,
          { error: 'request_too_large', error_description: 'The request body exceeds 1 MiB.' },
          { connection: 'close' },
        )
      else sendJson(res, 500, { error: 'server_error', error_description: String(error) })
    })
  }
  const server: Server = options.https
    ? createHttpsServer({ cert: options.https.cert, key: options.https.key }, onRequest)
    : createServer(onRequest)
  // A large backlog: benchmarks open 1,000 connections at once.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ port: options.port ?? 0, host: '127.0.0.1', backlog: 4096 }, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const controller = new AbortController()
  let closing: Promise<void> | undefined
  return {
    origin: `${options.https ? 'https' : 'http'}://127.0.0.1:${port}`,
    signal: controller.signal,
    close() {
      closing ??= new Promise<void>((resolve) => {
        controller.abort()
        server.close(() => resolve())
        // Keep-alive sockets would otherwise hold close() open for seconds.
        server.closeAllConnections()
      })
      return closing
    },
  }
}

/** A `readBody` catch handler that notes 413 on a request record before rethrowing. */
export function tooLarge(record: { status: number }): (error: unknown) => never {
  return (error) => {
    if (error instanceof PayloadTooLargeError) record.status = 413
    throw error
  }
}

/** Reads the request body as UTF-8, refusing more than {@link MAX_BODY_BYTES}. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > MAX_BODY_BYTES) throw new PayloadTooLargeError()
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) throw new PayloadTooLargeError()
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  send(res, status, JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8', ...headers })
}

export function send(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.writableEnded) return
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers })
  res.end(body)
}

/** Waits `ms`; resolves false instead of waiting when the server closes meanwhile. */
export async function delay(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return !signal.aborted
  try {
    await sleepFor(ms, undefined, { signal })
    return true
  } catch {
    return false
  }
}

/** Request headers as a flat, lower-case record. */
export function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

/** The value of a single-valued header. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : value
}
