#!/usr/bin/env node
import { existsSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { isApptokenError, isConfigurationError, type ApptokenError, type TokenProvider } from '@apptoken/core'
import { ApiCallError, createClients } from './clients.js'
import { configFilePath, loadConfig, type DemoConfig } from './config.js'
import { settingMessage } from './setting-errors.js'
import { runJob } from './job.js'
import { startOffline, type OfflineEnvironment } from './offline.js'
import { createDemoProvider } from './provider.js'
import { buildSummary, formatSummary } from './summary.js'
import { tenantTarget, type Target } from './target.js'
import { createTokenLog } from './token-log.js'

const USAGE = `apptoken demo — a daemon that gets app tokens and calls Microsoft Graph and a web API
through @apptoken/graph, axios, ky, got and fetch, then recovers from a revoked token.

Usage: npm start -- [options]        (or: node apps/demo/dist/main.js [options])

Options:
  --config <file>  settings in the Microsoft daemon sample shape (default: ./appsettings.json if present)
  --offline        ignore tenant settings and use the embedded test authority
  --json           print the summary as JSON on stdout (narration goes to stderr)
  --verbose        log token events to stderr (never token values)
  --help           show this help

Without a tenant configured the demo runs offline against an embedded authority, API and Graph
on 127.0.0.1. With AzureAd.TenantId and AzureAd.ClientId (or AZURE_TENANT_ID, AZURE_CLIENT_ID)
plus a secret or certificate it calls your tenant, Microsoft Graph and MyWebApi.

Exit codes: 0 done, 1 a server refused (token request or API call), 2 bad configuration or
usage, 130 / 143 interrupted (SIGINT / SIGTERM).
`

const EXIT = { ok: 0, failed: 1, config: 2 } as const
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 }

interface Flags {
  config: string | undefined
  json: boolean
  verbose: boolean
  offline: boolean
  help: boolean
}

const errorLine = (message: string): void => void process.stderr.write(`apptoken demo: ${message}\n`)

function parseFlags(argv: string[]): Flags {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      offline: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  })
  return {
    config: values.config,
    json: values.json === true,
    verbose: values.verbose === true,
    offline: values.offline === true,
    help: values.help === true,
  }
}

/** The apptoken error inside `error`: adapters and SDKs may wrap it (got's RequestError, GraphClientError). */
function apptokenErrorIn(error: unknown): ApptokenError | undefined {
  for (
    let e = error, depth = 0;
    e !== undefined && e !== null && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    if (isApptokenError(e)) return e
  }
  return undefined
}

/** Writes what went wrong and returns the exit code. */
function report(error: unknown, file: string | undefined): number {
  const found = apptokenErrorIn(error)
  if (found !== undefined && isConfigurationError(found)) {
    const fromFile =
      file !== undefined && /^(AzureAd|MyWebApi|MicrosoftGraph)\b/.test(found.option) ? ` (in ${file})` : ''
    errorLine(`configuration error${fromFile}: ${settingMessage(found)}`)
    return EXIT.config
  }
  if (found !== undefined) errorLine(found.message)
  else if (error instanceof ApiCallError) errorLine(error.message)
  else {
    const e = error as { statusCode?: unknown; message?: unknown }
    const status =
      typeof e.statusCode === 'number' && e.statusCode > 0 ? `Microsoft Graph answered ${e.statusCode}: ` : ''
    errorLine(`${status}${typeof e.message === 'string' && e.message !== '' ? e.message : String(error)}`)
  }
  return EXIT.failed
}

const firstLine = (target: Target, config: DemoConfig): string =>
  target.kind === 'offline'
    ? `apptoken demo — offline: using the embedded test authority at ${target.authorityHost} (no tenant needed)${config.offlineSecret ? `; client secret from ${config.offlineSecret.name}` : ''}`
    : `apptoken demo — tenant ${target.tenantId} at ${target.authorityHost}, app ${target.clientId} (${config.file ?? 'environment'})`

/** Runs the demo; resolves with the exit code. */
async function main(argv: string[]): Promise<number> {
  let flags: Flags
  try {
    flags = parseFlags(argv)
  } catch (error) {
    errorLine(`${(error as Error).message}. Run with --help to see the options.`)
    return EXIT.config
  }
  if (flags.help) {
    process.stdout.write(USAGE)
    return EXIT.ok
  }
  const narration = flags.json ? process.stderr : process.stdout
  const say = (line: string): void => void narration.write(`${line}\n`)
  const controller = new AbortController()
  let received: string | undefined
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) process.exit(SIGNAL_EXIT[received] ?? EXIT.failed) // second signal: stop now
    received = signal
    process.stderr.write(`\napptoken demo: ${signal}: cancelling in-flight calls and shutting down\n`)
    controller.abort(new Error(`interrupted by ${signal}`))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const sources = {
    configPath: flags.config,
    env: process.env,
    cwd: process.cwd(),
    forceOffline: flags.offline,
  }
  const file = configFilePath(sources)
  let offline: OfflineEnvironment | undefined
  let provider: TokenProvider | undefined
  try {
    const config = loadConfig(sources)
    let target: Target
    if (config.tenant === undefined) {
      offline = await startOffline({ apiScopes: config.api.scopes, secret: config.offlineSecret })
      target = offline.target
    } else {
      target = tenantTarget(config, config.tenant)
    }
    const tokenLog = createTokenLog(
      flags.verbose ? (line) => void process.stderr.write(`${line}\n`) : undefined,
    )
    provider = createDemoProvider(target, tokenLog.logger)
    const clients = createClients(provider, target)
    controller.signal.throwIfAborted()
    say(firstLine(target, config))
    const result = await runJob({ clients, target, say, progress: narration, signal: controller.signal })
    const summary = buildSummary({
      mode: target.kind,
      authorityHost: target.authorityHost,
      result,
      traffic: clients.traffic,
      stats: provider.stats(),
      health: provider.health(),
      byScope: tokenLog.tally.acquired,
      server: offline?.records(),
      durationMs: performance.now(),
    })
    process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary))
    return EXIT.ok
  } catch (error) {
    if (received !== undefined) return SIGNAL_EXIT[received] ?? EXIT.failed
    return report(error, existsSync(file) ? file : undefined)
  } finally {
    await provider?.close()
    await offline?.close()
  }
}

const flush = (stream: NodeJS.WriteStream): Promise<void> =>
  new Promise((resolve) => stream.write('', () => resolve()))

const code = await main(process.argv.slice(2))
await Promise.all([flush(process.stdout), flush(process.stderr)])
// Keep-alive sockets of the HTTP clients would hold the process open for seconds; everything is closed.
process.exit(code)
