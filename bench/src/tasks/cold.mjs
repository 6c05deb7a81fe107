/** Child task: `calls` concurrent getToken calls on an empty cache, for the same tenant and scope. */
import { createContender } from '../contenders.mjs'
import { timeMs } from '../harness.mjs'

export async function cold({ contender: name, calls, env }) {
  const contender = await createContender(name, env)
  const { ms, value } = await timeMs(() =>
    Promise.allSettled(Array.from({ length: calls }, () => contender.getDefault())),
  )
  const failed = value.filter((r) => r.status === 'rejected')
  await contender.close()
  return {
    wallMs: ms,
    ok: value.length - failed.length,
    failed: failed.length,
    firstError: failed[0] ? String(failed[0].reason?.message ?? failed[0].reason).slice(0, 300) : undefined,
  }
}
