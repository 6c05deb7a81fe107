export { createTokenProvider } from './token-provider.js'
export type { TokenProvider, TokenProviderStats } from './token-provider.js'
export type { ProviderHealth, TokenHealth } from './health.js'
export { ApptokenChannels } from './diagnostics.js'
export type {
  TokenRequestContext,
  CacheLookupEvent,
  TokenAcquiredEvent,
  RefreshEvent,
  UnauthorizedRetryEvent,
  CredentialReloadEvent,
  CredentialValidityEvent,
} from './diagnostics.js'
export type { TokenProviderOptions } from './options.js'
export type { TokenParams } from './token-params.js'
export type { DpopOption, DpopSigner } from './dpop.js'
export type { AccessToken, GetTokenOptions, Logger, Clock, RetryOptions } from './types.js'
export { clientSecret } from './credentials/client-secret.js'
export type { ClientSecretOptions, SecretAuthMethod, SecretSource } from './credentials/client-secret.js'
export type {
  Credential,
  ClientCredential,
  TokenSourceCredential,
  CredentialContext,
  ClientAuthentication,
  IssuedToken,
  CredentialDefaults,
} from './credential.js'
export { memoryCache, MemoryCache } from './caches/memory-cache.js'
export type { MemoryCacheOptions } from './caches/memory-cache.js'
export type { TokenCache, CachedToken, CoordinateOptions } from './cache.js'
// The options every adapter takes; the adapter plumbing itself is on `@apptoken/core/adapter`.
export type { AppTokenOptions } from './auth/types.js'
export { defaultScope, normalizeScopes } from './scopes.js'
export { AzureCloud, graphHostFor, graphOriginsFor } from './clouds.js'
export type { AzureCloudHost } from './clouds.js'
export {
  ApptokenError,
  ConfigurationError,
  TokenRequestError,
  NetworkError,
  TimeoutError,
  AbortError,
  ClosedError,
  InvalidTokenResponseError,
  isApptokenError,
  isTokenRequestError,
  isConfigurationError,
} from './errors.js'
export type { TokenRequestErrorDetails, ApptokenErrorCode } from './errors.js'
export { apiErrorHint } from './hints.js'
export { isRetryableStatus } from './retry.js'
export { parseRetryAfter, parseHttpDate } from './retry-after.js'
export type { HeaderBag } from './retry-after.js'
// Credentials written by users make requests through `ctx.http`.
export type { HttpTransport, HttpRequest, HttpResponse } from './http.js'
export type {
  TokenCredential,
  AzureAccessToken,
  AzureGetTokenOptions,
  AbortSignalLike,
} from './token-credential.js'
export { clientCertificate } from './credentials/client-certificate.js'
export type { ClientCertificateOptions } from './credentials/client-certificate.js'
export type { AssertionAlgorithm } from './credentials/assertion.js'
export { privateKeyJwt } from './credentials/private-key-jwt.js'
export type { PrivateKeyJwtOptions } from './credentials/private-key-jwt.js'
export type { SigningAlgorithm, PrivateKeyInput, PrivateJwk } from './credentials/signing-key.js'
export { clientSecretJwt } from './credentials/client-secret-jwt.js'
export { tlsClientAuth } from './credentials/tls-client-auth.js'
export type { TlsClientAuthOptions } from './credentials/tls-client-auth.js'
export type { ClientSecretJwtOptions, HmacAlgorithm } from './credentials/client-secret-jwt.js'
export { clientAssertion } from './credentials/client-assertion.js'
export type { AssertionCallback, AssertionRequest } from './credentials/client-assertion.js'
export { firstOf } from './credentials/first-of.js'
export { workloadIdentity } from './credentials/workload-identity.js'
export type { WorkloadIdentityOptions } from './credentials/workload-identity.js'
export { managedIdentity } from './credentials/managed-identity.js'
export type {
  ManagedIdentityCredential,
  ManagedIdentityOptions,
  ManagedIdentitySource,
} from './credentials/managed-identity.js'
export { managedIdentityAssertion } from './credentials/managed-identity-assertion.js'
export type { ManagedIdentityAssertionOptions } from './credentials/managed-identity-assertion.js'
export { fromEnvironment } from './credentials/from-environment.js'
export type { Environment } from './credentials/environment.js'
export { fromAppSettings } from './config/app-settings.js'
export { parseJsonWithComments } from './config/jsonc.js'
export type { AppSettingsConfig, AppSettingsOptions } from './config/app-settings.js'
