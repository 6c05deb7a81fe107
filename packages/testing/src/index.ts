export { startTestAuthority } from './authority.js'
export type {
  IssueTokenClaims,
  TestAuthority,
  TestAuthorityOptions,
  TestProviderOptions,
  TokenRequestFilter,
} from './authority-types.js'
export { startProtectedApi } from './protected-api.js'
export type { ProtectedApi, ProtectedApiOptions } from './protected-api.js'
export { startTestApis } from './test-apis.js'
export type { TestApis, TestApisOptions } from './test-apis.js'
export { useTestApis } from './use-test-apis.js'
export type { TestApisFixture, TestHooks, UseTestApisOptions } from './use-test-apis.js'
export { startGraphApi } from './graph-api.js'
export type { GraphApi, GraphApiOptions, GraphUser } from './graph-api.js'
export { startKeyVault } from './key-vault.js'
export { startDpopApi } from './dpop-api.js'
export { startOidcProvider, OIDC_RESOURCE } from './oidc-provider.js'
export type { OidcClient, OidcProviderClass, RunningOidcProvider } from './oidc-provider.js'
export type { DpopApi, DpopApiOptions, DpopApiRequest } from './dpop-api.js'
export type { KeyVault, KeyVaultOptions } from './key-vault.js'
export type { ApiControls, ApiRequest } from './api-server.js'
export { createTestCertificate, encryptPrivateKey } from './certificates.js'
export type { TestCertificate, TestCertificateOptions } from './certificates.js'
export type { TestClientRegistration, TestFederatedCredential } from './clients.js'
export type { Fault } from './faults.js'
export type { AuthMethod, RecordedRequest, RequestKind } from './recording.js'
export type { EntraErrorBody } from './entra-errors.js'
export type { TokenResponseBody } from './token-endpoint.js'
export { V1_RESOURCE_HOSTS } from './token-version.js'
export type { TokenVersion } from './token-version.js'
export type { ManagedIdentityEndpoints } from './managed-identity.js'
export { startManagedIdentityEndpoint } from './managed-identity-endpoint.js'
export type {
  ArcRealmFault,
  ManagedIdentityEndpoint,
  ManagedIdentityEndpointOptions,
  ManagedIdentityFault,
  ManagedIdentityRequest,
  ManagedIdentitySourceName,
} from './managed-identity-endpoint.js'
export type { TlsOptions } from './http.js'
export {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_TENANT_DOMAIN,
  DEFAULT_TENANT_ID,
  GRAPH_AUDIENCE,
  MANAGED_IDENTITY_CLIENT_ID,
  TEST_API_AUDIENCE,
} from './defaults.js'
