/**
 * Entry of every measuring child process. The parent forks it (fresh V8, --expose-gc,
 * NODE_EXTRA_CA_CERTS set), sends one task, and gets one result back over IPC. The child may
 * ask the parent for things only it can do (revoke a token, count the authority's requests).
 */
import { cached } from './tasks/cached.mjs'
import { cold } from './tasks/cold.mjs'
import { replicas } from './tasks/replicas.mjs'
import { storm } from './tasks/storm.mjs'
import { throughput } from './tasks/throughput.mjs'

const tasks = { cached, cold, replicas, storm, throughput }

let nextCall = 0
const pending = new Map()
const rpc = (op, arg) =>
  new Promise((resolve, reject) => {
    const id = nextCall++
    pending.set(id, { resolve, reject })
    process.send({ rpc: id, op, arg })
  })

process.on('message', (message) => {
  if (message.task !== undefined) {
    run(message.task).catch(() => {})
  } else if (message.reply !== undefined) {
    const call = pending.get(message.reply)
    pending.delete(message.reply)
    if (message.error !== undefined) call?.reject(new Error(message.error))
    else call?.resolve(message.value)
  }
})

async function run(task) {
  try {
    const result = await tasks[task.kind](task, rpc)
    process.send({ result }, () => process.exit(0))
  } catch (error) {
    process.send({ error: String(error?.stack ?? error) }, () => process.exit(1))
  }
}
