/** Runs one task in a fresh child process and answers its requests to the parent. */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const CHILD = fileURLToPath(new URL('./child.mjs', import.meta.url))

/**
 * @param task   sent to src/child.mjs
 * @param ctx    { caPath, handlers: { [op]: (arg) => value }, timeoutMs }
 */
export function runChild(task, { caPath, handlers = {}, timeoutMs = 15 * 60_000 }) {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [], {
      execArgv: ['--expose-gc'],
      // The authority's certificate is trusted the way an operator would trust a private CA.
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caPath, NODE_OPTIONS: '' },
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      serialization: 'advanced',
    })
    let stderr = ''
    let settled = false
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000)
    })
    const timer = setTimeout(() => {
      finish(
        new Error(`${task.kind} ${task.contender ?? task.client ?? ''}: timed out after ${timeoutMs} ms`),
      )
      child.kill('SIGKILL')
    }, timeoutMs)
    const finish = (error, value) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (error) reject(error)
      else resolve(value)
    }
    child.on('message', async (message) => {
      if (message.rpc !== undefined) {
        try {
          const value = await handlers[message.op](message.arg)
          child.send({ reply: message.rpc, value })
        } catch (error) {
          child.send({ reply: message.rpc, error: String(error) })
        }
      } else if (message.error !== undefined) {
        finish(new Error(message.error))
      } else {
        finish(undefined, message.result)
      }
    })
    child.on('exit', (code) => {
      finish(
        new Error(
          `${task.kind} ${task.contender ?? task.client ?? ''}: child exited with ${code}\n${stderr}`,
        ),
      )
    })
    child.send({ task })
  })
}
