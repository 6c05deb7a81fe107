// The repo as the release job sees it, in a temp dir: the files git knows (tracked, and new ones
// not ignored, so an uncommitted changeset is rehearsed too), the public packages' built dist/,
// node_modules linked from the workspace (changesets loads its changelog generator from there),
// committed into a fresh git repo so `changeset publish` can tag the release as it would for real.
import { existsSync } from 'node:fs'
import { cp, mkdir, symlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { ROOT, childEnv, pool, run } from '../packaging/lib.mjs'

/** Fixed author/committer for the temp repo's commits: no dependence on the user's git config. */
export const GIT_ENV = {
  GIT_AUTHOR_NAME: 'apptoken release rehearsal',
  GIT_AUTHOR_EMAIL: 'rehearsal@apptoken.invalid',
  GIT_COMMITTER_NAME: 'apptoken release rehearsal',
  GIT_COMMITTER_EMAIL: 'rehearsal@apptoken.invalid',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
}

/**
 * @param {string} dest an empty dir
 * @param {import('../packaging/lib.mjs').PublicPackage[]} packages their dist/ is copied
 * @returns {Promise<number>} the number of files copied from git
 */
export async function copyWorkspace(dest, packages) {
  const listed = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'])
  if (listed.code !== 0) throw new Error(`git ls-files failed in ${ROOT}:\n${listed.output}`)
  // Deleted-but-tracked files are listed too; copy what exists. A node_modules symlink is not
  // matched by .gitignore's "node_modules/" (not a dir): the copy links its own.
  const files = listed.output
    .split('\0')
    .filter((f) => f !== '' && !/(^|\/)node_modules(\/|$)/.test(f) && existsSync(join(ROOT, f)))
  await pool(8, files, async (file) => {
    await mkdir(dirname(join(dest, file)), { recursive: true })
    await cp(join(ROOT, file), join(dest, file), { verbatimSymlinks: true })
  })
  for (const pkg of packages) {
    const folder = pkg.dir.slice(ROOT.length + 1)
    await cp(join(pkg.dir, 'dist'), join(dest, folder, 'dist'), { recursive: true })
  }
  await symlink(join(ROOT, 'node_modules'), join(dest, 'node_modules'), 'dir')
  await git(dest, ['init', '--quiet', '--initial-branch=main'])
  await commitAll(dest, 'the workspace as of the rehearsal')
  return files.length
}

/** `git add -A && git commit` in the temp repo (dist/ and node_modules stay ignored, as in CI). */
export async function commitAll(dir, message) {
  await git(dir, ['add', '-A'])
  await git(dir, ['commit', '--quiet', '--no-verify', '--allow-empty', '-m', message])
}

/** Runs git in the temp repo; throws with its output on failure. */
export async function git(dir, args) {
  const result = await run('git', ['-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', ...args], {
    cwd: dir,
    env: childEnv(GIT_ENV),
  })
  if (result.code !== 0) throw new Error(`git ${args.join(' ')} failed in ${dir}:\n${result.output}`)
  return result.output
}
