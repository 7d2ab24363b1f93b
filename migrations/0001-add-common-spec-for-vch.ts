/**
 * Plugin 1 (VCH appliance), VIC's AddCommonSpecForVCH: gives the appliance's name the hidden key
 * `init/common/name` beside the old guest-visible `guestinfo.vice./init/common/name`.
 */
import type { MigrationPlugin } from '../src/migration/plugin.js'
import { addHiddenCommonName } from './shared/common-block.js'

export default {
  version: 1,
  target: 'appliance',
  name: 'add-common-spec-for-vch',
  description: 'Copies the appliance name into the hidden key init/common/name, as VIC 0.8 stored it.',
  migrate: (config) => addHiddenCommonName(config, 'init/'),
} satisfies MigrationPlugin
