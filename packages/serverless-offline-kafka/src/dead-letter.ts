/** Records that exhausted the retry policy, as sent to the on-failure topic (pure). */
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';

export const DEAD_LETTER_HEADERS = {
  function: 'x-offline-kafka-function',
  error: 'x-offline-kafka-error',
  attempts: 'x-offline-kafka-attempts',
  topic: 'x-offline-kafka-source-topic',
  partition: 'x-offline-kafka-source-partition',
  offset: 'x-offline-kafka-source-offset',
} as const;

const MAX_ERROR_LENGTH = 2000;

export interface Failure {
  functionKey: string;
  error: string;
  attempts: number;
  topic: string;
  partition: number;
}

/** The original key, value, timestamp and headers, plus headers naming the function, the error and the source position. */
export function deadLetter(message: KafkaMessage, failure: Failure): Message {
  const headers: IHeaders = {
    ...message.headers,
    [DEAD_LETTER_HEADERS.function]: failure.functionKey,
    [DEAD_LETTER_HEADERS.error]: failure.error.slice(0, MAX_ERROR_LENGTH),
    [DEAD_LETTER_HEADERS.attempts]: String(failure.attempts),
    [DEAD_LETTER_HEADERS.topic]: failure.topic,
    [DEAD_LETTER_HEADERS.partition]: String(failure.partition),
    [DEAD_LETTER_HEADERS.offset]: message.offset,
  };
  return { key: message.key, value: message.value, timestamp: message.timestamp, headers };
}
