import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'

/** A running Azurite Blob service. */
export interface Azurite {
  /** `https://127.0.0.1:<port>/devstoreaccount1`: the emulator account's blob endpoint. */
  url: string
  /** Azurite's console output so far, for failure messages. */
  output(): string
  close(): Promise<void>
}

const require = createRequire(import.meta.url)
const BLOB_MAIN = join(dirname(require.resolve('azurite/package.json')), 'dist/src/blob/main.js')
const LISTENING = /successfully listens on (https:\/\/127\.0\.0\.1:\d+)/

/**
 * Starts Azurite's Blob service on 127.0.0.1 (a free port), over https with the given PEM
 * certificate, checking OAuth tokens (`--oauth basic`: issuer, audience, lifetime), in memory,
 * with telemetry off (nothing leaves the machine).
 */
export async function startAzurite(tls: { cert: string; key: string }): Promise<Azurite> {
  const dir = await mkdtemp(join(tmpdir(), 'apptoken-azurite-'))
  const certPath = join(dir, 'cert.pem')
  const keyPath = join(dir, 'key.pem')
  await writeFile(certPath, tls.cert)
  await writeFile(keyPath, tls.key, { mode: 0o600 })
  const args = [
    BLOB_MAIN,
    ['--blobHost', '127.0.0.1'],
    ['--blobPort', '0'],
    ['--cert', certPath],
    ['--key', keyPath],
    ['--oauth', 'basic'],
    '--inMemoryPersistence',
    ['--extentMemoryLimit', '64'],
    '--skipApiVersionCheck',
    '--disableTelemetry',
    '--silent',
  ].flat()
  // cwd: Azurite may write files in its working directory; keep them out of the repository.
  const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => lines.push(chunk))
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`Azurite exited (${String(code)}) before listening:\n${lines.join('')}`)
  })
  const listening = (async () => {
    for await (const line of createInterface({ input: child.stdout })) {
      lines.push(`${line}\n`)
      const origin = LISTENING.exec(line)?.[1]
      if (origin !== undefined) return origin
    }
    throw new Error(`Azurite closed its output before listening:\n${lines.join('')}`)
  })()
  let origin: string
  try {
    origin = await Promise.race([listening, exited])
  } catch (error) {
    child.kill()
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  exited.catch(() => undefined) // from now on an exit is the expected end
  return {
    url: `${origin}/devstoreaccount1`,
    output: () => lines.join(''),
    async close() {
      if (child.exitCode === null) {
        const exit = once(child, 'exit')
        child.kill('SIGTERM')
        await exit
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}
