/** How far a long send is: logged while it runs. */
export interface Progress {
  sent: number;
  total: number;
  percent: number;
  elapsedSeconds: number;
  messagesPerSecond: number;
  /** At the rate so far. */
  etaSeconds: number;
}

const tenths = (value: number) => Math.round(value * 10) / 10;

/**
 * A counter to call after each send: it reports at most every `intervalMs`, and never the end
 * (the run's summary line says that), so a run shorter than the interval reports nothing.
 */
export function progressEvery(
  intervalMs: number,
  total: number,
  now: () => number,
  report: (progress: Progress) => void,
): (sent: number) => void {
  const start = now();
  let last = start;
  return (sent) => {
    const at = now();
    if (sent >= total || at - last < intervalMs) return;
    last = at;
    const elapsedSeconds = (at - start) / 1000;
    const messagesPerSecond = sent / elapsedSeconds;
    report({
      sent,
      total,
      percent: Math.floor((sent / total) * 100),
      elapsedSeconds: tenths(elapsedSeconds),
      messagesPerSecond: Math.round(messagesPerSecond),
      etaSeconds: tenths((total - sent) / messagesPerSecond),
    });
  };
}
