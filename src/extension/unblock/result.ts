/** What the Make It Pass command resolves to (commands/ids.ts names it; the integration tests read it). */
import type { UnblockRun } from '../../core/unblock/unblock';
import type { BisectPanel } from '../bisect/panel';

export interface MakeItPassRun {
  resultId: string;
  run: UnblockRun;
  /** The bisect view it ran in (its `pass` is the section as shown). */
  panel: BisectPanel;
}
