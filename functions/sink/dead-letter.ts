import { headerBytes } from '../../shared/kafka-event';
import { base64Text } from '../../shared/kafka-reading';
import type { OutgoingMessage } from '../../shared/producer';
import type { Rejection } from './plan';

/** Headers the sink adds to a rejected record on the dead-letter topic. */
export const SINK_DEAD_LETTER_HEADERS = {
  kind: 'x-sink-rejection',
  reason: 'x-sink-reason',
  topic: 'x-sink-source-topic',
  partition: 'x-sink-source-partition',
  offset: 'x-sink-source-offset',
  /** `utf8`: the value is the original text; `base64`: it is the original bytes in base64, as delivered (not text). */
  valueEncoding: 'x-sink-value-encoding',
} as const;

const MAX_REASON_LENGTH = 2000;

/** A rejected record as it goes to the dead-letter topic: its key, value and headers plus why and where from. */
export function deadLetterMessage({ record, kind, reason }: Rejection): OutgoingMessage {
  const text = record.value === undefined ? { text: '' } : base64Text(record.value);
  const original = Object.fromEntries(record.headers.flatMap((header) => Object.entries(header).map(([name, bytes]) => [name, headerBytes(bytes).toString('utf8')])));
  return {
    key: record.key === undefined ? '' : Buffer.from(record.key, 'base64').toString('utf8'),
    value: typeof text === 'object' ? text.text : record.value!,
    headers: {
      ...original,
      [SINK_DEAD_LETTER_HEADERS.kind]: kind,
      [SINK_DEAD_LETTER_HEADERS.reason]: reason.slice(0, MAX_REASON_LENGTH),
      [SINK_DEAD_LETTER_HEADERS.topic]: record.topic,
      [SINK_DEAD_LETTER_HEADERS.partition]: String(record.partition),
      [SINK_DEAD_LETTER_HEADERS.offset]: String(record.offset),
      [SINK_DEAD_LETTER_HEADERS.valueEncoding]: typeof text === 'object' ? 'utf8' : 'base64',
    },
  };
}
