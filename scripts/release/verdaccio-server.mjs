// The registry process of the release rehearsal, forked by registry.mjs with an IPC channel:
// Verdaccio (the root devDependency) on 127.0.0.1 at a free port the OS picks, configured from
// the JSON file named by argv[2]. Sends { port } once listening; exits when told to, and on its
// own when the parent goes away (the IPC channel closes), so it can never outlive the rehearsal.
import { readFileSync } from 'node:fs'
import { runServer } from 'verdaccio'

if (process.send === undefined) {
  console.error('verdaccio-server.mjs is started by scripts/release/registry.mjs (needs an IPC channel)')
  process.exit(2)
}
const config = JSON.parse(readFileSync(process.argv[2], 'utf8'))
const app = await runServer(config)
const server = app.listen(0, '127.0.0.1', () => {
  process.send({ port: server.address().port })
})
server.on('error', (error) => {
  console.error(`verdaccio: ${error.message}`)
  process.exit(1)
})
const stop = () => {
  server.closeAllConnections?.()
  server.close(() => process.exit(0))
  setTimeout(() => process.exit(0), 2000).unref()
}
process.on('message', (message) => message === 'stop' && stop())
process.on('disconnect', stop)
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
