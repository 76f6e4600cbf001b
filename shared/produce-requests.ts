import type { OutgoingMessage } from './producer';

/**
 * Splitting a send into produce requests the broker accepts.
 *
 * kafkajs sends all messages of one `producer.send` as a single Produce request (one record batch per
 * partition) and never splits it; the broker refuses a record batch larger than its
 * `message.max.bytes` (default 1,048,588 bytes, also MSK's default) with MESSAGE_TOO_LARGE, and the
 * Java producer's `max.request.size` defaults to 1,048,576. Keeping a whole request's records under
 * 1,000,000 bytes keeps every batch under both, with room for the request and batch headers.
 */
export const MAX_PRODUCE_REQUEST_BYTES = 1_000_000;

/** Bytes of a zigzag varint, as Kafka's record format (v2) writes lengths. */
function varintBytes(value: number): number {
  let zigzag = value >= 0 ? value * 2 : -value * 2 - 1;
  let bytes = 1;
  while (zigzag >= 0x80) {
    zigzag = Math.floor(zigzag / 0x80);
    bytes++;
  }
  return bytes;
}

const lengthPrefixed = (text: string) => {
  const bytes = Buffer.byteLength(text);
  return varintBytes(bytes) + bytes;
};

/** Length (varint ≤ 5) + attributes (1) + timestamp delta (varlong ≤ 10) + offset delta (varint ≤ 5). */
const RECORD_FRAMING_BYTES = 5 + 1 + 10 + 5;

/**
 * An upper bound of the bytes one message takes in a Kafka v2 record batch, uncompressed: the key,
 * value and headers exactly, the deltas and the record length at their largest.
 */
export function encodedRecordBytes(message: OutgoingMessage): number {
  // A name with several values is sent as that many headers (kafkajs repeats it).
  const headers = Object.entries(message.headers ?? {}).flatMap(([name, values]) =>
    (Array.isArray(values) ? values : [values]).map((value) => [name, value] as const),
  );
  return (
    RECORD_FRAMING_BYTES +
    lengthPrefixed(message.key) +
    lengthPrefixed(message.value) +
    varintBytes(headers.length) +
    headers.reduce((sum, [name, value]) => sum + lengthPrefixed(name) + lengthPrefixed(value), 0)
  );
}

/** A message that no produce request can carry. */
export class MessageTooLargeError extends Error {
  override name = 'MessageTooLargeError';
}

/**
 * Consecutive slices of `messages`, in order, each encoding to at most `maxBytes`: sent one after the
 * other, they keep every key's order (a key always maps to the same partition).
 */
export function produceRequests(
  messages: readonly OutgoingMessage[],
  maxBytes = MAX_PRODUCE_REQUEST_BYTES,
): OutgoingMessage[][] {
  const requests: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let currentBytes = 0;
  for (const message of messages) {
    const bytes = encodedRecordBytes(message);
    if (bytes > maxBytes) {
      throw new MessageTooLargeError(
        `A message with key ${message.key} encodes to ${bytes} bytes, over the ${maxBytes}-byte limit of a produce request; no broker with the default message.max.bytes accepts it. Make the message smaller.`,
      );
    }
    if (currentBytes + bytes > maxBytes) {
      requests.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(message);
    currentBytes += bytes;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
