import { afterEach, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { defaultMigrationsDir, discoverPlugins } from '../../../src/migration/discover.js'
import { MigrationError } from '../../../src/migration/errors.js'

const repo = fileURLToPath(new URL('../../../', import.meta.url))
const run = promisify(execFile)
const made: string[] = []

afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'portlayer-migrations-'))
  made.push(dir)
  return dir
}

/** A folder of plugin files; each body is the text of one file. */
async function folder(files: Record<string, string>): Promise<string> {
  const dir = await tempDir()
  for (const [name, body] of Object.entries(files)) await writeFile(join(dir, name), body)
  return dir
}

const pluginText = (version: unknown, name: string) =>
  `export default { version: ${JSON.stringify(version)}, target: 'container', name: '${name}', ` +
  `description: 'test', reads: ['common/name'], migrate: (m: ReadonlyMap<string, string>) => new Map(m) }\n`

async function refusal(dir: string): Promise<string> {
  const err: unknown = await discoverPlugins(dir).then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!MigrationError.is(err, 'invalid_plugin')) throw new Error(`expected a refusal, got ${String(err)}`)
  return err.message
}

describe('plugin discovery', () => {
  it('finds the three plugin files of migrations/, sorted by version', async () => {
    expect((await readdir(defaultMigrationsDir)).filter((f) => f.endsWith('.ts')).sort()).toEqual([
      '0001-add-common-spec-for-vch.ts',
      '0002-add-common-name.ts',
      '0009-create-time-nanoseconds.ts',
    ])
    const registry = await discoverPlugins()
    expect(registry.plugins.map((p) => [p.version, p.target, p.name])).toEqual([
      [1, 'appliance', 'add-common-spec-for-vch'],
      [2, 'container', 'add-common-name'],
      [9, 'container', 'create-time-nanoseconds'],
    ])
  })

  it('ignores other files and sub-folders', async () => {
    const dir = await folder({ '0002-two.ts': pluginText(2, 'two'), 'README.md': '# notes', '0002-two.js.map': '' })
    await mkdir(join(dir, 'shared'))
    await writeFile(join(dir, 'shared', 'helper.ts'), 'export const x = 1\n')
    expect((await discoverPlugins(dir)).plugins.map((p) => p.name)).toEqual(['two'])
  })

  it('refuses a file not named NNNN-kebab-name', async () => {
    const dir = await folder({ 'add-name.ts': pluginText(2, 'add-name') })
    const rule = 'a plugin file is named NNNN-kebab-name.ts, like 0002-add-common-name'
    expect(await refusal(dir)).toBe(`migration plugin ${join(dir, 'add-name.ts')}: ${rule}`)
  })

  it('refuses a file without a default export', async () => {
    const dir = await folder({ '0002-two.ts': 'export const plugin = {}\n' })
    expect(await refusal(dir)).toMatch(/0002-two\.ts: the file has no default export/)
  })

  it('refuses a plugin whose version or name is not the one its file promises', async () => {
    expect(await refusal(await folder({ '0003-three.ts': pluginText(2, 'three') }))).toMatch(
      /0003-three\.ts: the plugin says version 2 but the file is numbered 3/,
    )
    expect(await refusal(await folder({ '0003-three.ts': pluginText(3, 'four') }))).toMatch(
      /0003-three\.ts: the plugin is named "four" but the file "three"/,
    )
  })

  it('passes the registry’s refusals on with the file path', async () => {
    const dir = await folder({ '0002-two.ts': pluginText(2, 'two'), '0002-deux.ts': pluginText(2, 'deux') })
    expect(await refusal(dir)).toMatch(/0002-two\.ts: version 2 is already taken by container plugin "deux"/)
    expect(await refusal(await folder({ '0000-zero.ts': pluginText(0, 'zero') }))).toMatch(
      /0000-zero\.ts: version must be greater than 0/,
    )
  })

  it('finds the same plugins from compiled JavaScript, as dist/ holds them', { timeout: 60_000 }, async () => {
    const out = await tempDir()
    await writeFile(join(out, 'package.json'), '{"type":"module"}\n')
    // Only discovery and the plugins, which pull in what they import: a whole build would take far longer.
    const plugins = (await readdir(defaultMigrationsDir)).filter((f) => f.endsWith('.ts'))
    const sources = [join(repo, 'src/migration/discover.ts'), ...plugins.map((f) => join(defaultMigrationsDir, f))]
    const options = ['--ignoreConfig', '--outDir', out, '--rootDir', repo, '--module', 'nodenext', '--target', 'es2022']
    const tsc = join(repo, 'node_modules/typescript/bin/tsc')
    await run(process.execPath, [tsc, ...options, '--skipLibCheck', '--types', 'node', ...sources], { cwd: repo })
    const script =
      `const { discoverPlugins } = await import(${JSON.stringify(join(out, 'src/migration/discover.js'))});` +
      `const registry = await discoverPlugins(); console.log(JSON.stringify(registry.plugins.map((p) => p.name)))`
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: out })
    expect(JSON.parse(stdout)).toEqual(['add-common-spec-for-vch', 'add-common-name', 'create-time-nanoseconds'])
  })
})
