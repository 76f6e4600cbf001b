/** A stack failure with a message that names the problem and the fix. */
export class StackError extends Error {
  override name = 'StackError';
}
