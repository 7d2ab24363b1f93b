/**
 * Plugin 1 (VCH appliance), VIC's AddCommonSpecForVCH: gives the appliance's name the hidden key
 * `init/common/name` beside the old guest-visible `guestinfo.vice./init/common/name`, on any appliance that has
 * the old key and not the new one, whatever its version stamp.
 */
import type { MigrationPlugin } from '../src/migration/plugin.js'
import { addHiddenCommonName, commonBlockReads, commonNameConflict } from './shared/common-block.js'

export default {
  version: 1,
  target: 'appliance',
  name: 'add-common-spec-for-vch',
  description: 'Copies the appliance name into the hidden key init/common/name, as VIC 1.1 stored it.',
  reads: commonBlockReads('init/'),
  conflict: (config) => commonNameConflict(config, 'init/'),
  migrate: (config) => addHiddenCommonName(config, 'init/'),
} satisfies MigrationPlugin
