/**
 * The local servers every child talks to, all in the parent process and on 127.0.0.1:
 * the https token authority (20 ms latency, every benchmark tenant known), the protected API of
 * the 401 storm, and a plain-http echo server for the throughput runs.
 */
import { createServer } from 'node:http'
import https from 'node:https'
import {
  DEFAULT_TENANT_DOMAIN,
  DEFAULT_TENANT_ID,
  startProtectedApi,
  startTestAuthority,
} from '@apptoken/testing'
import { tenantIds } from './config.mjs'
import { createServerCertificate } from './tls.mjs'

export async function startServers({ maxTenants }) {
  const tls = createServerCertificate()
  const authority = await startTestAuthority({
    https: { cert: tls.cert, key: tls.key },
    latencyMs: 20,
    tenants: [DEFAULT_TENANT_ID, DEFAULT_TENANT_DOMAIN, ...tenantIds(maxTenants)],
  })
  const api = await startProtectedApi({ authority })
  const echo = await startEcho()

  // msal is handed the tenant's OIDC document up front, exactly as the authority serves it.
  const oidcUrl = `${authority.authorityHost}/${authority.tenantId}/v2.0/.well-known/openid-configuration`
  const authorityMetadata = await getText(oidcUrl, tls.cert)
  const host = new URL(authority.authorityHost).host
  const cloudDiscoveryMetadata = JSON.stringify({
    tenant_discovery_endpoint: oidcUrl,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  })
  authority.reset()

  const env = {
    authorityHost: authority.authorityHost,
    tenantId: authority.tenantId,
    clientId: authority.clientId,
    clientSecret: authority.clientSecret,
    authorityMetadata,
    cloudDiscoveryMetadata,
    sampleToken: await authority.issueToken({ audience: 'api://apptoken-test-api' }),
  }

  /** Requests the authority received since `mark`, by kind (token, discovery, ...). */
  const requestKinds = (mark) => {
    const kinds = {}
    for (const r of authority.requests.slice(mark)) kinds[r.kind] = (kinds[r.kind] ?? 0) + 1
    return kinds
  }

  return {
    authority,
    api,
    echo,
    env,
    caPath: tls.caPath,
    requestKinds,
    async close() {
      await Promise.all([authority.close(), api.close(), echo.close()])
      tls.dispose()
    },
  }
}

function getText(url, ca) {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c) => (body += c))
        res.on('end', () =>
          res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`)),
        )
      })
      .on('error', reject)
  })
}

/** Answers every request with the Authorization header it carried, so a client can prove it sent one. */
async function startEcho() {
  const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    req.resume()
    req.on('end', () => {
      const body = JSON.stringify({ authorization: req.headers.authorization ?? null })
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
      res.end(body)
    })
  })
  await new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve))
  const url = `http://127.0.0.1:${server.address().port}/echo`
  return {
    url,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
