import { packageBuild } from '../../tsup.shared';

// vitest is a peer dependency: the suite must register tests with the caller's vitest, never a bundled copy.
export default packageBuild({ external: ['vitest'] });
