/**
 * Runs a compaction of `topic` and kills its own process with SIGKILL right after the first time it reaches `step`
 * (args: topic step), as a Lambda container dies: writes of other days in flight are cut wherever they are.
 *   written    the first day's compacted file is durable, nothing recorded;
 *   recorded   the partition state records the compacted days, nothing deleted;
 *   deleted    the first day's replaced files are deleted, the other days' are not.
 */
import { compactTopic } from '../../../functions/compact/compact';
import { store } from './support';

const [topic = '', step = ''] = process.argv.slice(2);
void compactTopic(store, { topic }, async (reached) => {
  if (reached.step === step) process.kill(process.pid, 'SIGKILL');
});
