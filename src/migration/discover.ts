/**
 * Plugin discovery: reads the `migrations/` folder once at start, imports every plugin file and builds the registry.
 *
 * A plugin file is `NNNN-kebab-name.ts` whose number is the plugin's version and whose words are its name, so the
 * folder listing reads as the migration history. The folder is found next to this module: `migrations/` from the
 * TypeScript sources (vitest, tsx), `dist/migrations/` from the build, which holds the same files as `.js`; only
 * files with this module's own extension are plugins, so source maps and notes in the folder are left alone.
 * Sub-folders (such as `migrations/shared/`) hold code plugins share and are not read. A file of that extension
 * with another name is refused rather than skipped: a misnamed plugin would otherwise silently never run.
 */
import { readdir } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { PluginRegistry, refusePlugin, type PluginSource } from './registry.js'

export const defaultMigrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url))

const moduleExtension = extname(fileURLToPath(import.meta.url))
// The words are checked against the plugin's name, which the registry holds to kebab-case.
const pluginFile = /^([0-9]{4})-(.+)\.(?:ts|js)$/

/** Imports the plugins of `dir` and checks them; throws `MigrationError('invalid_plugin')` naming the file. */
export async function discoverPlugins(dir: string = defaultMigrationsDir): Promise<PluginRegistry> {
  const entries = await readdir(dir, { withFileTypes: true })
  const files = entries
    .filter((e) => e.isFile() && e.name.endsWith(moduleExtension))
    .map((e) => e.name)
    .sort()

  const sources: PluginSource[] = []
  for (const file of files) {
    const path = join(dir, file)
    const match = pluginFile.exec(file)
    if (!match) {
      refusePlugin(path, `a plugin file is named NNNN-kebab-name${moduleExtension}, like 0002-add-common-name`)
    }
    const module = (await import(pathToFileURL(path).href)) as { default?: unknown }
    if (module.default === undefined) refusePlugin(path, 'the file has no default export; export the plugin as default')
    checkFileName(path, module.default, Number(match[1]), match[2]!)
    sources.push({ source: path, plugin: module.default })
  }
  return PluginRegistry.of(sources)
}

/** The shape itself is the registry's to check; here only what the file name promises. */
function checkFileName(path: string, plugin: unknown, version: number, name: string): void {
  if (typeof plugin !== 'object' || plugin === null) return
  const declared = plugin as { version?: unknown; name?: unknown }
  if (typeof declared.version === 'number' && declared.version !== version) {
    refusePlugin(path, `the plugin says version ${declared.version} but the file is numbered ${version}`)
  }
  if (typeof declared.name === 'string' && declared.name !== name) {
    refusePlugin(path, `the plugin is named "${declared.name}" but the file "${name}"`)
  }
}
