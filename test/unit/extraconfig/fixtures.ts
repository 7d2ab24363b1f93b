/** The golden VIC vectors, shared by every test that reads them. */
export { fixture, vicFixtures, type VicFixture } from '../../helpers/vic-fixtures.js'
