import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The built demo: the tests run exactly what `npm start` runs. */
export const DEMO = fileURLToPath(new URL('../dist/main.js', import.meta.url))

export interface DemoRun {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface RunOptions {
  env?: Record<string, string>
  cwd?: string
  /** Called with the child once it is spawned (to send it a signal). */
  onSpawn?: (child: ChildProcess) => void
}

// Variables that would make the demo leave offline mode (or read a developer's settings).
const CONFIG_VARIABLE = /^(AZURE_|AzureAd__|MyWebApi__|MicrosoftGraph__|NODE_EXTRA_CA_CERTS$)/i

/** Runs the demo with a clean environment (no AZURE_* of the machine), in `cwd` (default: a fresh empty directory). */
export function runDemo(args: string[], options: RunOptions = {}): Promise<DemoRun> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !CONFIG_VARIABLE.test(name)))
  const dir = options.cwd ?? tempDir()
  const child = spawn(process.execPath, [DEMO, ...args], {
    cwd: dir,
    env: { ...env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  options.onSpawn?.(child)
  return new Promise((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (options.cwd === undefined) rmSync(dir, { recursive: true, force: true })
      resolve({ code, signal, stdout, stderr })
    })
  })
}

/** A new empty directory. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'apptoken-demo-'))
}

/** Writes `settings` as `name` in `dir` and returns its path. */
export function writeSettings(dir: string, settings: unknown, name = 'appsettings.json'): string {
  const path = join(dir, name)
  writeFileSync(path, typeof settings === 'string' ? settings : JSON.stringify(settings, null, 2))
  return path
}

/** A JWT (header.payload): what must never appear in the demo's output. */
export const JWT = /eyJ[\w-]{5,}\.eyJ[\w-]{5,}/
