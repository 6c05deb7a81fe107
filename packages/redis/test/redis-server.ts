import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A redis-server child process on 127.0.0.1, for tests. */
export interface RedisServer {
  readonly port: number
  readonly url: string
  /** Stops the server (SIGKILL simulates a crash) and waits until it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>
  /** Starts it again on the same port (empty: nothing is persisted). */
  restart(): Promise<void>
  /** Freezes the process (SIGSTOP): connections stay open but nothing is answered. */
  freeze(): void
  /** Lets a frozen server run again (SIGCONT). */
  thaw(): void
}

const BINARY = process.env.REDIS_SERVER ?? 'redis-server'
const MISSING =
  `redis-server was not found (tried "${BINARY}"). The @apptoken/redis tests need a real Redis: ` +
  'run `bash scripts/ensure-redis.sh` (Debian/Ubuntu: apt-get install redis-server), or set REDIS_SERVER to its path.'

// Every server a test starts, so none outlives the test process even when a test fails or the
// runner exits early; stop() and the topology helpers' stop() are the normal way out.
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

const taken = new Set<number>()
const LAUNCH_MS = 20_000

/** A free loopback port, never one this process already handed out. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = createServer()
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const address = server.address()
    server.close()
    await once(server, 'close')
    if (address === null || typeof address === 'string') throw new Error('could not pick a free port')
    if (!taken.has(address.port)) {
      taken.add(address.port)
      return address.port
    }
  }
  throw new Error('could not pick a free port in 20 attempts')
}

/** A fresh temporary directory (cluster and sentinel state files); removed by `removeDir`. */
export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `apptoken-${name}-`))
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true })
}

/**
 * Spawns redis-server with `args` after its own (a config file first, for sentinels) and resolves
 * once it logs that it accepts connections.
 */
export async function launch(port: number, args: string[] = [], config?: string): Promise<ChildProcess> {
  const child = spawn(
    BINARY,
    [
      ...(config === undefined ? [] : [config]),
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      tmpdir(),
      '--loglevel',
      'notice',
      '--logfile',
      '',
      // DEBUG SLEEP pauses a server in the fault tests (refused from anything but loopback).
      '--enable-debug-command',
      'local',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  running.add(child)
  child.once('exit', () => running.delete(child))
  let output = ''
  let timer: NodeJS.Timeout | undefined
  return new Promise<ChildProcess>((resolve, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`redis-server on port ${port} was not ready within ${LAUNCH_MS} ms:\n${output}`))
    }, LAUNCH_MS)
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      // A sentinel never logs "Ready": it is ready once it monitors its primary.
      if (/Ready to accept connections|\+monitor master/.test(output)) {
        clearTimeout(timer)
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        resolve(child)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(error.code === 'ENOENT' ? MISSING : `redis-server failed to start: ${error.message}`)),
    )
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited with code ${String(code)} before it was ready:\n${output}`))
    })
  })
}

/** Sends `signal` to a child process and waits until it has exited (no-op if it already has). */
export async function kill(
  child: ChildProcess | undefined,
  signal: NodeJS.Signals = 'SIGKILL',
): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  // A frozen process must run again to handle anything but SIGKILL.
  if (signal !== 'SIGKILL') child.kill('SIGCONT')
  child.kill(signal)
  await exited
}

/**
 * Starts `redis-server` on a free loopback port with persistence off. Fails (never skips) when
 * redis-server is not installed, saying how to install it.
 */
export async function startRedisServer(args: string[] = []): Promise<RedisServer> {
  const port = await freePort()
  let child: ChildProcess | undefined = await launch(port, args)
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop(signal = 'SIGTERM') {
      const current = child
      child = undefined
      await kill(current, signal)
    },
    freeze() {
      child?.kill('SIGSTOP')
    },
    thaw() {
      child?.kill('SIGCONT')
    },
    async restart() {
      if (child !== undefined) throw new Error('redis-server is still running')
      child = await launch(port, args)
    },
  }
}

/**
 * Polls `check` (a real state: CLUSTER INFO, ROLE...) every `everyMs` until it returns true,
 * failing with `what` after `withinMs`. Polling is bounded; the interval only paces the checks.
 */
export async function pollUntil(
  what: string,
  check: () => Promise<boolean>,
  { withinMs = 30_000, everyMs = 50 } = {},
): Promise<number> {
  const start = performance.now()
  let lastError: unknown
  for (;;) {
    try {
      if (await check()) return performance.now() - start
    } catch (error) {
      lastError = error
    }
    if (performance.now() - start > withinMs) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : ''
      throw new Error(`${what}: still not the case after ${withinMs} ms${detail}`)
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
