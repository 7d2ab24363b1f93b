/**
 * Plugin 2 (container), VIC's AddCommonSpecForContainer: gives the container's name the hidden key `common/name`
 * beside the old guest-visible `guestinfo.vice./common/name`, where the service reads names from. It runs on any
 * container that has the old key and not the new one, whatever its version stamp (a container stamped 3 can hold
 * the old layout, see migrations/README.md). It does not make the container renamable: that still takes data
 * version 4, which only the creating service can stamp.
 */
import type { MigrationPlugin } from '../src/migration/plugin.js'
import { addHiddenCommonName, commonBlockReads, commonNameConflict } from './shared/common-block.js'

export default {
  version: 2,
  target: 'container',
  name: 'add-common-name',
  description: 'Copies the container name into the hidden key common/name, as VIC 1.1 stored it.',
  reads: commonBlockReads(''),
  conflict: (config) => commonNameConflict(config, ''),
  migrate: (config) => addHiddenCommonName(config, ''),
} satisfies MigrationPlugin
