import { headerBytes, type KafkaRecord } from '../../shared/kafka-event';
import { base64Text } from '../../shared/kafka-reading';
import type { OutgoingMessage } from '../../shared/producer';
import type { Rejection } from './plan';

/** Headers the sink adds to a rejected record on the dead-letter topic. */
const SINK_DEAD_LETTER_HEADERS = {
  kind: 'x-sink-rejection',
  reason: 'x-sink-reason',
  topic: 'x-sink-source-topic',
  partition: 'x-sink-source-partition',
  offset: 'x-sink-source-offset',
  /** `utf8`: the value is the original text; `base64`: it is the original bytes in base64, as delivered (not text). */
  valueEncoding: 'x-sink-value-encoding',
} as const;

const MAX_REASON_LENGTH = 2000;

/** The record's headers as text, a repeated name with its values in order. */
function originalHeaders(headers: KafkaRecord['headers']): Record<string, string | string[]> {
  const texts: Record<string, string[]> = {};
  for (const header of headers)
    for (const [name, bytes] of Object.entries(header)) {
      texts[name] ??= [];
      texts[name].push(headerBytes(bytes).toString('utf8'));
    }
  return Object.fromEntries(
    Object.entries(texts).map(([name, values]) => [name, values.length === 1 ? values[0]! : values]),
  );
}

/** A rejected record as it goes to the dead-letter topic: its key, value and headers plus why and where from. */
export function deadLetterMessage({ record, kind, reason }: Rejection): OutgoingMessage {
  const text = record.value === undefined ? { text: '' } : base64Text(record.value);
  const original = originalHeaders(record.headers);
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
