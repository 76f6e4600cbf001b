#!/usr/bin/env node
/** The package's command line: `serverless-offline-kafka generate-event [options]`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateEvent, GenerateEventError, parseRecordsText } from './generate-event';

const USAGE = `Usage: serverless-offline-kafka generate-event [options]

Writes the event Lambda's Kafka (or MSK) event source mapping would deliver, as JSON, for
\`sls invoke local -f <function> --path <file>\`.

Records, either from a file or one from flags:
  --input <file|->         a JSON array of records, or JSON Lines (one record per line); - reads stdin.
                           A record: {"topic", "partition" (0), "offset" (next of its partition, from 0),
                           "key" (text; absent or null: no key), "value" (text as is, other JSON serialized;
                           absent or null: a tombstone), "headers" ([{"name": "text"}, ...], in order),
                           "timestamp" (epoch ms or ISO-8601; now), "timestampType" (CREATE_TIME | LOG_APPEND_TIME)}
  --topic <name>           the record's topic (with --input: for records that name none)
  --partition <n>  --offset <n>  --key <text>  --value <text>  --timestamp <ms|ISO>  --timestamp-type <type>
  --header <name=value>    repeatable, in order

Event:
  --source <self-managed|msk>   default self-managed (eventSource SelfManagedKafka; msk: aws:kafka)
  --bootstrap-servers <h:p,...> default localhost:9092
  --arn <cluster ARN>           the MSK cluster (eventSourceArn), required with --source msk
  --out <file>                  default: standard output
`;

const RECORD_FLAGS = ['partition', 'offset', 'key', 'value', 'header', 'timestamp', 'timestamp-type'] as const;

function flagRecord(values: Record<string, string | string[] | boolean | undefined>): Record<string, unknown> {
  const number = (flag: string) =>
    values[flag] === undefined ? undefined : /^\d+$/.test(values[flag] as string) ? Number(values[flag]) : values[flag];
  const headers = ((values.header as string[] | undefined) ?? []).map((header) => {
    const at = header.indexOf('=');
    if (at <= 0) throw new GenerateEventError(`--header must be name=value, got ${JSON.stringify(header)}.`);
    return { [header.slice(0, at)]: header.slice(at + 1) };
  });
  const timestamp = values.timestamp as string | undefined;
  return {
    partition: number('partition'),
    offset: number('offset'),
    key: values.key,
    value: values.value,
    headers,
    timestamp: timestamp !== undefined && /^\d+$/.test(timestamp) ? Number(timestamp) : timestamp,
    timestampType: values['timestamp-type'],
  };
}

function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new GenerateEventError(`cannot read --input ${file}: ${(error as Error).message}`);
  }
}

function main(argv: readonly string[]): number {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      input: { type: 'string' },
      topic: { type: 'string' },
      partition: { type: 'string' },
      offset: { type: 'string' },
      key: { type: 'string' },
      value: { type: 'string' },
      header: { type: 'string', multiple: true },
      timestamp: { type: 'string' },
      'timestamp-type': { type: 'string' },
      source: { type: 'string', default: 'self-managed' },
      'bootstrap-servers': { type: 'string', default: 'localhost:9092' },
      arn: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== 'generate-event')
    throw new GenerateEventError(
      `the command is generate-event, got ${JSON.stringify(positionals.join(' '))}; see --help.`,
    );
  const given = RECORD_FLAGS.filter((flag) => values[flag] !== undefined);
  if (values.input !== undefined && given.length > 0)
    throw new GenerateEventError(
      `--${given[0]} describes a record given by flags; with --input, put it in the input's records.`,
    );
  const specs =
    values.input === undefined
      ? [Object.fromEntries(Object.entries(flagRecord(values)).filter(([, v]) => v !== undefined))]
      : parseRecordsText(readInput(values.input), values.input === '-' ? 'standard input' : values.input);
  const event = generateEvent(specs, {
    source: values.source as 'self-managed' | 'msk',
    bootstrapServers: values['bootstrap-servers']!,
    arn: values.arn,
    topic: values.topic,
    now: Date.now(),
  });
  const json = `${JSON.stringify(event, null, 2)}\n`;
  if (values.out === undefined) process.stdout.write(json);
  else writeFileSync(values.out, json);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  const badArguments = (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
  if (error instanceof GenerateEventError || badArguments) {
    // The user's to fix: the message alone, no stack.
    process.stderr.write(
      `serverless-offline-kafka: ${(error as Error).message}${badArguments ? ' (see --help)' : ''}\n`,
    );
    process.exitCode = 2;
  } else {
    process.stderr.write(`serverless-offline-kafka: ${(error as Error).stack}\n`);
    process.exitCode = 1;
  }
}
