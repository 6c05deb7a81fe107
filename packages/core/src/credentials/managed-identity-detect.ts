import { accessSync, constants } from 'node:fs'
import { ConfigurationError } from '../errors.js'
import { envValue, type Environment } from './environment.js'
import { appServiceSource } from './managed-identity-app-service.js'
import { ARC_DEFAULT_ENDPOINT, arcKeyDirectory, azureArcSource } from './managed-identity-azure-arc.js'
import { cloudShellSource } from './managed-identity-cloud-shell.js'
import { imdsSource } from './managed-identity-imds.js'
import { machineLearningSource } from './managed-identity-machine-learning.js'
import { serviceFabricSource } from './managed-identity-service-fabric.js'
import {
  SOURCES,
  type ManagedIdentityOptions,
  type ManagedIdentitySource,
  type Selector,
  type Source,
} from './managed-identity-source.js'

/** A setting from an option (named for messages) or a variable. */
type Setting = { option: string; value: string } | undefined
const pick = (
  options: ManagedIdentityOptions,
  env: Environment,
  option: keyof ManagedIdentityOptions,
  variable: string,
): Setting => {
  const value = options[option]
  if (typeof value === 'string' && value.trim() !== '') return { option, value: value.trim() }
  const fromEnv = envValue(env, variable)
  return fromEnv === undefined ? undefined : { option: variable, value: fromEnv }
}

/** Whether the Arc agent is installed (msal-node's fallback when its variables are missing). */
function himdsInstalled(env: Environment): boolean {
  const file =
    process.platform === 'win32'
      ? `${env.ProgramFiles ?? process.env.ProgramFiles ?? 'C:\\Program Files'}\\AzureConnectedMachineAgent\\himds.exe`
      : process.platform === 'linux'
        ? '/opt/azcmagent/bin/himds'
        : undefined
  if (file === undefined) return false
  try {
    accessSync(file, constants.F_OK)
    return true
  } catch {
    return false
  }
}

function selectorOf(options: ManagedIdentityOptions): Selector {
  const ids = (['clientId', 'objectId', 'resourceId'] as const).filter((k) => options[k] !== undefined)
  if (ids.length > 1)
    throw new ConfigurationError(
      ids.join(', '),
      'a managed identity is selected by one of clientId, objectId or resourceId',
      `pass only ${ids[0]}`,
    )
  const kind = ids[0]
  if (kind === undefined) return undefined
  const value = options[kind]
  if (typeof value !== 'string' || value.trim() === '')
    throw new ConfigurationError(
      kind,
      'it is empty',
      'pass the id of the user-assigned identity, or omit it to use the system-assigned identity',
    )
  return { kind, value: value.trim() }
}

const missing = (source: string, variable: string, fix: string): ConfigurationError =>
  new ConfigurationError(variable, `${source} needs it and it is not set`, fix)

/** Which source the options and variables name, in msal-node's order; IMDS when none does. */
function detect(options: ManagedIdentityOptions, env: Environment): ManagedIdentitySource {
  if (options.imdsEndpoint !== undefined) return 'imds' // an explicit IMDS endpoint wins
  const identity = pick(options, env, 'endpoint', 'IDENTITY_ENDPOINT')
  const header = pick(options, env, 'identityHeader', 'IDENTITY_HEADER')
  const pin = pick(options, env, 'serverThumbprint', 'IDENTITY_SERVER_THUMBPRINT')
  const msi = envValue(env, 'MSI_ENDPOINT')
  const msiSecret = envValue(env, 'MSI_SECRET')
  if (identity && header && pin) return 'serviceFabric'
  if (identity && header) return 'appService'
  if (msi !== undefined && msiSecret !== undefined) return 'machineLearning'
  if (msi !== undefined) return 'cloudShell'
  if (identity && envValue(env, 'IMDS_ENDPOINT') !== undefined) return 'azureArc'
  if (pin && !header)
    throw missing(
      'Service Fabric',
      'IDENTITY_HEADER',
      'set IDENTITY_HEADER as Service Fabric does, or unset IDENTITY_SERVER_THUMBPRINT',
    )
  if (msiSecret !== undefined)
    throw missing(
      'Azure Machine Learning',
      'MSI_ENDPOINT',
      'set MSI_ENDPOINT with MSI_SECRET, or unset MSI_SECRET',
    )
  if (options.endpoint !== undefined) return 'appService' // as before sources were detected
  if (identity)
    throw new ConfigurationError(
      identity.option,
      'it is set without IDENTITY_HEADER (App Service, Service Fabric) or IMDS_ENDPOINT (Azure Arc)',
      'set the variables your host sets together, or pass source to choose the endpoint',
    )
  if (options.endpoint === undefined && himdsInstalled(env)) return 'azureArc'
  return 'imds'
}

/** Finds the endpoint from the options and the environment. */
export function resolveSource(options: ManagedIdentityOptions): Source {
  const env = options.env ?? process.env
  const selector = selectorOf(options)
  if (options.source !== undefined && !SOURCES.includes(options.source))
    throw new ConfigurationError(
      'source',
      `${JSON.stringify(options.source)} is not a managed identity source`,
      `pass one of ${SOURCES.join(', ')}`,
    )
  if (options.endpoint !== undefined && options.imdsEndpoint !== undefined)
    throw new ConfigurationError(
      'endpoint',
      'both endpoint and imdsEndpoint were given',
      'pass the one this host has',
    )
  const source = options.source ?? detect(options, env)
  const identity = pick(options, env, 'endpoint', 'IDENTITY_ENDPOINT')
  const header = () => pick(options, env, 'identityHeader', 'IDENTITY_HEADER')
  const msi = () =>
    options.endpoint !== undefined
      ? { option: 'endpoint', value: options.endpoint }
      : pick(options, env, 'endpoint', 'MSI_ENDPOINT')
  switch (source) {
    case 'imds':
      return imdsSource(options.imdsEndpoint, env, selector)
    case 'appService': {
      const secret = header()
      if (!identity)
        throw missing('App Service', 'IDENTITY_ENDPOINT', 'set IDENTITY_ENDPOINT or pass endpoint')
      if (!secret)
        throw missing('App Service', 'identityHeader', 'pass identityHeader (the value of IDENTITY_HEADER)')
      return appServiceSource(identity, secret.value, selector)
    }
    case 'serviceFabric': {
      const secret = header()
      const pin = pick(options, env, 'serverThumbprint', 'IDENTITY_SERVER_THUMBPRINT')
      if (!identity)
        throw missing('Service Fabric', 'IDENTITY_ENDPOINT', 'set IDENTITY_ENDPOINT or pass endpoint')
      if (!secret)
        throw missing('Service Fabric', 'IDENTITY_HEADER', 'set IDENTITY_HEADER or pass identityHeader')
      if (!pin)
        throw missing(
          'Service Fabric',
          'IDENTITY_SERVER_THUMBPRINT',
          'set IDENTITY_SERVER_THUMBPRINT or pass serverThumbprint',
        )
      return serviceFabricSource(identity, secret.value, pin, selector)
    }
    case 'machineLearning': {
      const endpoint = msi()
      const secret = options.identityHeader ?? envValue(env, 'MSI_SECRET')
      if (!endpoint)
        throw missing('Azure Machine Learning', 'MSI_ENDPOINT', 'set MSI_ENDPOINT or pass endpoint')
      if (secret === undefined)
        throw missing('Azure Machine Learning', 'MSI_SECRET', 'set MSI_SECRET or pass identityHeader')
      return machineLearningSource(endpoint, secret, env, selector)
    }
    case 'cloudShell': {
      const endpoint = msi()
      if (!endpoint) throw missing('Cloud Shell', 'MSI_ENDPOINT', 'set MSI_ENDPOINT or pass endpoint')
      return cloudShellSource(endpoint, selector)
    }
    case 'azureArc': {
      const endpoint = identity ?? { option: 'IDENTITY_ENDPOINT', value: ARC_DEFAULT_ENDPOINT }
      return azureArcSource(endpoint, options.arcKeyDirectory ?? arcKeyDirectory(env), selector)
    }
  }
}
