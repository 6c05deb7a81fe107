// A throwaway npm registry for the release rehearsal: Verdaccio in a child process on 127.0.0.1
// (a port the OS picks), storage and htpasswd in the rehearsal's temp dir, the @apptoken scope
// served only from there (no uplink: nothing from npmjs can shadow what the rehearsal publishes)
// and every other package proxied to the registry npm uses here. A random user is registered
// through the registry's login endpoint; its token goes into a temp npm userconfig, never ~/.npmrc.
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const SERVER = fileURLToPath(new URL('./verdaccio-server.mjs', import.meta.url))

/**
 * @typedef {{ url: string, port: number, userconfig: string, output: () => string, stop: () => Promise<void> }} Registry
 * @param {string} dir an empty temp dir for storage, config and the userconfig
 * @param {{ uplink: string }} options uplink = the registry everything but @apptoken comes from
 * @returns {Promise<Registry>}
 */
export async function startRegistry(dir, { uplink }) {
  await mkdir(join(dir, 'storage'), { recursive: true })
  const configFile = join(dir, 'verdaccio.json')
  const config = {
    self_path: configFile,
    storage: join(dir, 'storage'),
    auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: 1 } },
    uplinks: { upstream: { url: uplink, timeout: '60s', max_fails: 5 } },
    packages: {
      '@apptoken/*': { access: '$all', publish: '$authenticated', unpublish: '$authenticated' },
      '**': { access: '$all', publish: '$authenticated', proxy: 'upstream' },
    },
    web: { enable: false },
    log: { type: 'stdout', format: 'pretty', level: 'warn' },
  }
  await writeFile(configFile, JSON.stringify(config, null, 2))

  const child = fork(SERVER, [configFile], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] })
  let output = ''
  child.stdout.on('data', (chunk) => (output += chunk))
  child.stderr.on('data', (chunk) => (output += chunk))
  const exited = once(child, 'exit')
  let running = true
  void exited.then(() => (running = false))
  const stop = async () => {
    if (!running) return
    if (child.connected) child.send('stop')
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(killer)
  }

  try {
    const port = await new Promise((resolve, reject) => {
      child.once('message', (message) => resolve(message.port))
      void exited.then(([code]) =>
        reject(new Error(`Verdaccio exited (code ${code}) before listening:\n${output}`)),
      )
    })
    const url = `http://127.0.0.1:${port}`
    const token = await addUser(url)
    const userconfig = join(dir, 'npmrc')
    // Only this file carries the registry and token; the caller points NPM_CONFIG_USERCONFIG at it.
    await writeFile(userconfig, `registry=${url}/\n//127.0.0.1:${port}/:_authToken=${token}\n`, {
      mode: 0o600,
    })
    return { url, port, userconfig, output: () => output, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** Registers a random user (`npm adduser`'s request) and returns the token Verdaccio issues. */
async function addUser(url) {
  const name = `rehearsal-${randomBytes(4).toString('hex')}`
  const password = randomBytes(18).toString('base64url')
  const response = await fetch(`${url}/-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ _id: `org.couchdb.user:${name}`, name, password, type: 'user', roles: [] }),
  })
  const body = /** @type {{ token?: string, error?: string }} */ (await response.json().catch(() => ({})))
  if (!response.ok || typeof body.token !== 'string')
    throw new Error(
      `Verdaccio refused to create the rehearsal user: HTTP ${response.status} ${body.error ?? ''}`,
    )
  return body.token
}
