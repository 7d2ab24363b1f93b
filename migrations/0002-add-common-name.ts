/**
 * Plugin 2 (container), VIC's AddCommonSpecForContainer: gives the container's name the hidden key `common/name`
 * beside the old guest-visible `guestinfo.vice./common/name`, where the service reads names from. It does not make
 * the container renamable: that still takes data version 4, which only the creating service can stamp.
 */
import type { MigrationPlugin } from '../src/migration/plugin.js'
import { addHiddenCommonName } from './shared/common-block.js'

export default {
  version: 2,
  target: 'container',
  name: 'add-common-name',
  description: 'Copies the container name into the hidden key common/name, as VIC 0.8 stored it.',
  migrate: (config) => addHiddenCommonName(config, ''),
} satisfies MigrationPlugin
