import type { TokenCredential as AzureTokenCredential } from '@azure/core-auth'
import type { Dispatcher } from 'undici'
import { describe, expectTypeOf, it } from 'vitest'
import type {
  ApptokenError,
  ApptokenErrorCode,
  ClientCredential,
  Credential,
  ManagedIdentityCredential,
  ManagedIdentityOptions,
  ManagedIdentitySource,
  TokenProvider,
  TokenProviderOptions,
  TokenSourceCredential,
} from '../src/index.js'

describe('structural types against the real ones', () => {
  it('toTokenCredential() is an @azure/core-auth TokenCredential', () => {
    expectTypeOf<ReturnType<TokenProvider['toTokenCredential']>>().toExtend<AzureTokenCredential>()
  })
  it('dispatcher takes an undici Dispatcher and nothing else', () => {
    expectTypeOf<Dispatcher>().toExtend<NonNullable<TokenProviderOptions['dispatcher']>>()
    expectTypeOf<{ url: string }>().not.toExtend<NonNullable<TokenProviderOptions['dispatcher']>>()
  })
})

describe('Credential', () => {
  it('is one of two kinds, told apart by getToken', () => {
    expectTypeOf<Credential>().toEqualTypeOf<ClientCredential | TokenSourceCredential>()
    const narrow = (c: Credential) => (c.getToken !== undefined ? c : undefined)
    expectTypeOf(narrow).returns.toEqualTypeOf<TokenSourceCredential | undefined>()
  })
  it('cannot be both kinds at once', () => {
    type Both = {
      kind: string
      authenticate: ClientCredential['authenticate']
      getToken: TokenSourceCredential['getToken']
    }
    expectTypeOf<Both>().not.toExtend<Credential>()
  })
})

describe('error codes', () => {
  it('are a closed union', () => {
    expectTypeOf<ApptokenError['code']>().toEqualTypeOf<ApptokenErrorCode>()
    expectTypeOf<'ERR_CLOSED'>().toExtend<ApptokenErrorCode>()
    expectTypeOf<'ERR_SOMETHING_ELSE'>().not.toExtend<ApptokenErrorCode>()
  })
})

describe('managed identity', () => {
  it('names its six sources, and the credential says which it chose', () => {
    expectTypeOf<ManagedIdentitySource>().toEqualTypeOf<
      'imds' | 'appService' | 'azureArc' | 'serviceFabric' | 'cloudShell' | 'machineLearning'
    >()
    expectTypeOf<ManagedIdentityCredential['source']>().toEqualTypeOf<ManagedIdentitySource>()
    expectTypeOf<ManagedIdentityCredential>().toExtend<TokenSourceCredential>()
    expectTypeOf<NonNullable<ManagedIdentityOptions['source']>>().toEqualTypeOf<ManagedIdentitySource>()
  })
})
