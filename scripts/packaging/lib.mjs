// Shared helpers of the packaging scripts: the public packages, child processes, temp dirs.
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const BIN = join(ROOT, 'node_modules/.bin')
/** Modules the workspace has installed (typescript, semver), loaded by absolute path. */
export const rootRequire = createRequire(join(ROOT, 'package.json'))

/**
 * @typedef {{ name: string, folder: string, dir: string, manifest: Record<string, any>, ready: boolean }} PublicPackage
 */

/** Every packages/* whose package.json is not `"private": true`, sorted with core first. */
export function publicPackages() {
  const dir = join(ROOT, 'packages')
  /** @type {PublicPackage[]} */
  const found = []
  for (const folder of readdirSync(dir).sort()) {
    const file = join(dir, folder, 'package.json')
    if (!existsSync(file)) continue
    const manifest = JSON.parse(readFileSync(file, 'utf8'))
    if (manifest.private === true) continue
    // Built = the main entry exists; a missing types file or export is the linters' job to catch.
    const ready = existsSync(join(dir, folder, 'dist/index.js'))
    found.push({ name: manifest.name, folder, dir: join(dir, folder), manifest, ready })
  }
  return found.sort((a, b) => (a.folder === 'core' ? -1 : b.folder === 'core' ? 1 : 0))
}

/** The version of `name` installed for code in `fromDir` (walking up node_modules like Node). */
export function installedVersion(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const file = join(dir, 'node_modules', name, 'package.json')
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')).version
    if (dirname(dir) === dir) return undefined
  }
}

/**
 * The environment for npm/node children: npm exports npm_config_* (local prefix, workspace...)
 * to scripts, and an inherited one could make `npm install` in a temp project touch the workspace.
 */
export function childEnv(extra = {}) {
  const env = { ...process.env, ...extra }
  for (const key of Object.keys(env)) {
    if (/^npm_(config|package|lifecycle)_/i.test(key) || key === 'INIT_CWD' || key === 'NODE_OPTIONS')
      delete env[key]
  }
  env.NO_COLOR = '1'
  env.FORCE_COLOR = '0'
  env.npm_config_update_notifier = 'false'
  env.npm_config_fund = 'false'
  env.npm_config_audit = 'false'
  return env
}

/** Children of `run` still running, for `stopChildren`. */
const live = new Set()

/** Sends `signal` to every child `run` started that has not exited (a script interrupted itself). */
export function stopChildren(signal = 'SIGTERM') {
  for (const child of live) child.kill(signal)
}

/**
 * Runs a command, capturing its output. Never rejects: the caller decides what a failure means.
 * @returns {Promise<{ code: number, output: string, ms: number }>}
 */
export function run(command, args, { cwd = ROOT, env = childEnv(), timeoutMs = 300_000 } = {}) {
  const started = performance.now()
  return new Promise((done) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    live.add(child)
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]`
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      live.delete(child)
      done({ code: 127, output: output + String(error), ms: performance.now() - started })
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      live.delete(child)
      done({
        code: code ?? (signal ? 128 : 1),
        output: dropNpmNoise(output),
        ms: performance.now() - started,
      })
    })
  })
}

// A user-level .npmrc on some machines carries options npm 11 warns about on every call.
function dropNpmNoise(output) {
  return output
    .split('\n')
    .filter((line) => !/^npm warn Unknown (user|env|project) config/.test(line))
    .join('\n')
}

/** Runs `tasks` with at most `limit` at a time, keeping their order in the result. */
export async function pool(limit, items, task) {
  const results = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await task(items[index], index)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/** A fresh directory in the OS temp dir, outside the workspace. */
export function tempDir(prefix) {
  return mkdtemp(join(tmpdir(), `apptoken-${prefix}-`))
}

export function removeDir(dir) {
  return rm(dir, { recursive: true, force: true, maxRetries: 3 })
}

export function seconds(ms) {
  return `${(ms / 1000).toFixed(1)}s`
}

export function indent(text, prefix = '    ') {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => prefix + line)
    .join('\n')
}
