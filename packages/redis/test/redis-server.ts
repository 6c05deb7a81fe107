import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'

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

async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  await once(server, 'close')
  if (address === null || typeof address === 'string') throw new Error('could not pick a free port')
  return address.port
}

/** Spawns redis-server and resolves once it logs that it accepts connections. */
async function launch(port: number): Promise<ChildProcess> {
  const child = spawn(
    BINARY,
    [
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
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  return new Promise<ChildProcess>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      if (/Ready to accept connections/.test(output)) {
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
    child.once('exit', (code) =>
      reject(new Error(`redis-server exited with code ${String(code)} before it was ready:\n${output}`)),
    )
  })
}

/**
 * Starts `redis-server` on a free loopback port with persistence off. Fails (never skips) when
 * redis-server is not installed, saying how to install it.
 */
export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort()
  let child: ChildProcess | undefined = await launch(port)
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop(signal = 'SIGTERM') {
      const running = child
      child = undefined
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return
      const exited = once(running, 'exit')
      running.kill(signal)
      await exited
    },
    freeze() {
      child?.kill('SIGSTOP')
    },
    thaw() {
      child?.kill('SIGCONT')
    },
    async restart() {
      if (child !== undefined) throw new Error('redis-server is still running')
      child = await launch(port)
    },
  }
}
