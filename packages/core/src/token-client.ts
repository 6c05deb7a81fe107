import { randomUUID } from 'node:crypto'
import type { CachedToken } from './cache.js'
import { mergeClaims } from './claims.js'
import type { ClientCredential, Credential, CredentialContext, IssuedToken } from './credential.js'
import { discoverIssuer, type DiscoveredServer } from './discovery.js'
import { isApptokenError, isTokenRequestError, type TokenRequestError } from './errors.js'
import { CREDENTIAL_REJECTED_CODES } from './hints.js'
import type { HttpTransport } from './http.js'
import type { ResolvedOptions } from './options.js'
import { isRetryableStatus, withRetry, type AttemptFailure } from './retry.js'
import { computeRefreshAt } from './refresh-policy.js'
import { checkIssuedToken, parseTokenResponse } from './token-response.js'
import { checkDpopAlgorithm, DPOP, sendWithDpop } from './dpop.js'
import { clientTlsOf } from './credentials/tls-client-auth.js'
import type { CheckedParams } from './token-params.js'
import type { Clock, Logger } from './types.js'
import { credentialReloadChannel, traceTokenRequest } from './diagnostics-publish.js'
import type { TokenRequestContext } from './diagnostics.js'

/** One token request as the provider asks for it. */
export interface TokenRequest {
  tenantId: string
  scopes: string[]
  claims: string | undefined
  signal: AbortSignal
  /** The token this request replaces (a 401 or claims challenge), for credentials that report it. */
  rejectedToken?: string | undefined
  /** Why it is requested (for the `apptoken:token-request` channel). */
  reason?: TokenRequestContext['reason']
  /** Extra parameters (`tokenParams` merged with the call's `params`). */
  params?: CheckedParams
}

function classify(error: unknown): AttemptFailure {
  if (isTokenRequestError(error))
    return { retryable: isRetryableStatus(error.status), retryAfterMs: error.retryAfterMs }
  return { retryable: isApptokenError(error, 'ERR_NETWORK') || isApptokenError(error, 'ERR_TIMEOUT') }
}

// The credential itself was refused (a removed certificate, a wrong or expired secret): the
// credential decides whether reloading or switching may help.
const rejectedCredential = (e: unknown): e is TokenRequestError =>
  isTokenRequestError(e) &&
  (e.error === 'invalid_client' || e.errorCodes.some((c) => CREDENTIAL_REJECTED_CODES.has(c)))

// Bounds reload/switch attempts per request, so a rotation list whose members are all refused ends.
const MAX_RELOADS = 4

/** Tokens living less than this are used (and cached for their short life) but logged. */
const SHORT_LIFETIME_MS = 60_000

/** Makes client-credentials token requests: endpoint, client authentication, retries. */
export class TokenClient {
  #discovered: Promise<DiscoveredServer> | undefined
  readonly #mtls: boolean
  retries = 0

  constructor(
    private readonly options: ResolvedOptions,
    private readonly credential: Credential,
    private readonly http: HttpTransport,
    private readonly clock: Clock,
    private readonly logger: Logger | undefined,
  ) {
    this.#mtls = clientTlsOf(credential) !== undefined
  }

  async #server(tenantId: string, signal: AbortSignal): Promise<DiscoveredServer> {
    const { authorityHost, tokenEndpoint, issuer } = this.options
    if (authorityHost !== undefined) {
      return {
        tokenEndpoint: `${authorityHost}/${encodeURIComponent(tenantId)}/oauth2/v2.0/token`,
        authMethodsSupported: undefined,
      }
    }
    if (tokenEndpoint !== undefined) return { tokenEndpoint, authMethodsSupported: undefined }
    // Discovery runs once; a failure is not remembered, so the next request tries again.
    this.#discovered ??= discoverIssuer(issuer ?? '', this.http, signal).catch((e: unknown) => {
      this.#discovered = undefined
      throw e
    })
    return this.#discovered
  }

  /** A new token, as the cache keeps it (with its `refreshAt`). */
  async token(req: TokenRequest): Promise<CachedToken> {
    const now = this.clock.now()
    const issued = await traceTokenRequest(this.options, this.credential.kind, req, (onRetry) =>
      this.request(req, onRetry),
    )
    if (issued.expiresAt - now < SHORT_LIFETIME_MS)
      this.logger?.warn?.(
        {
          event: 'short_lived_token',
          tenantId: req.tenantId,
          scopes: req.scopes,
          expiresAt: issued.expiresAt,
        },
        'apptoken: the authority issued a token that expires in less than a minute',
      )
    return {
      accessToken: issued.accessToken,
      // checkIssuedToken let only Bearer (and DPoP with the dpop option) through; one shared string each
      tokenType: issued.tokenType === DPOP ? DPOP : 'Bearer',
      expiresAt: issued.expiresAt,
      refreshAt: computeRefreshAt(now, issued.expiresAt, issued.refreshAt),
      scopes: req.scopes,
      tenantId: req.tenantId,
    }
  }

  async request(req: TokenRequest, onRetry?: () => void): Promise<IssuedToken> {
    const server = await this.#server(req.tenantId, req.signal)
    const ctx: CredentialContext = {
      clientId: this.options.clientId,
      tenantId: req.tenantId,
      // RFC 8705 §5: a client certificate goes to the server's mTLS alias of the token endpoint.
      tokenEndpoint: (this.#mtls && server.mtlsTokenEndpoint) || server.tokenEndpoint,
      authorityHost: this.options.authorityHost,
      scopes: req.scopes,
      claims: req.claims,
      rejectedToken: req.rejectedToken,
      clientCapabilities: this.options.clientCapabilities,
      signal: req.signal,
      authMethodsSupported: server.authMethodsSupported,
      signingAlgsSupported: server.signingAlgsSupported,
      http: this.http,
      clock: this.clock,
      logger: this.logger,
      countRetry: () => {
        this.retries++
        onRetry?.()
      },
    }
    if (req.params !== undefined && req.params.entries.length > 0) ctx.params = req.params.entries
    const credential = this.credential
    // Every token is checked before it is cached, whoever obtained it.
    const dpop = this.options.dpop !== undefined
    if (this.options.dpop !== undefined) checkDpopAlgorithm(this.options.dpop, server.dpopAlgsSupported)
    if (credential.getToken !== undefined) return checkIssuedToken(await credential.getToken(ctx), dpop)
    for (let reloads = 0; ; reloads++) {
      try {
        return checkIssuedToken(await this.#withRetries(credential, ctx), dpop)
      } catch (error) {
        // A rotated certificate or the next entry of a rotation list: the credential reloads and we retry.
        if (
          reloads < MAX_RELOADS &&
          rejectedCredential(error) &&
          credential.onRejected &&
          (await credential.onRejected(error, ctx))
        ) {
          this.logger?.warn?.(
            { event: 'credential_reloaded', aadsts: error.aadsts },
            'apptoken: credential rejected; reloaded it and retrying',
          )
          if (credentialReloadChannel.hasSubscribers)
            credentialReloadChannel.publish({
              credentialKind: credential.kind,
              tenantId: req.tenantId,
              aadsts: error.aadsts,
            })
          continue
        }
        throw error
      }
    }
  }

  #withRetries(credential: ClientCredential, ctx: CredentialContext): Promise<IssuedToken> {
    return withRetry(() => this.#attempt(credential, ctx), {
      policy: this.options.retry,
      clock: this.clock,
      classify,
      signal: ctx.signal,
      onRetry: ({ retry, delayMs, error }) => {
        ctx.countRetry?.()
        this.logger?.warn?.(
          {
            event: 'retry_scheduled',
            retry,
            delayMs,
            status: isTokenRequestError(error) ? error.status : undefined,
            code: (error as { code?: string }).code,
          },
          `apptoken: token request failed; retry ${retry} in ${delayMs} ms`,
        )
      },
    })
  }

  async #attempt(credential: ClientCredential, ctx: CredentialContext): Promise<IssuedToken> {
    // Authenticate per attempt: a certificate credential signs a fresh assertion (new jti) each time.
    const auth = await credential.authenticate(ctx)
    const basic = auth.headers?.authorization?.startsWith('Basic ') === true
    const form = new URLSearchParams()
    if (!basic) form.set('client_id', ctx.clientId)
    form.set('scope', ctx.scopes.join(' '))
    form.set('grant_type', 'client_credentials')
    for (const [name, values] of ctx.params ?? []) for (const v of values) form.append(name, v)
    for (const [k, v] of Object.entries(auth.form ?? {})) form.set(k, v)
    const claims = mergeClaims(ctx.claims, this.options.clientCapabilities)
    if (claims !== undefined) form.set('claims', claims)
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
      accept: 'application/json',
      'client-request-id': randomUUID(),
      'x-client-sku': 'apptoken.node',
      ...auth.headers,
    }
    const send = (h: Record<string, string>) =>
      this.http.request({
        url: ctx.tokenEndpoint,
        method: 'POST',
        headers: h,
        body: form.toString(),
        signal: ctx.signal,
      })
    const dpop = this.options.dpop
    const res =
      dpop === undefined
        ? await send(headers)
        : await sendWithDpop(
            dpop,
            ctx.tokenEndpoint,
            () => this.clock.now(),
            (proof) => send({ ...headers, dpop: proof }),
          )
    const sensitive = [...Object.values(auth.form ?? {}), ...Object.values(auth.headers ?? {})]
    return parseTokenResponse(res, this.clock.now(), sensitive)
  }
}
