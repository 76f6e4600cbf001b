/**
 * The `kafka` / `msk` event properties AWS has and osls's schema lacks, added to osls's own schema, so a typo
 * or an out-of-range value gets osls's configuration error (configValidationMode) like any other setting.
 * Limits: CreateEventSourceMapping and "Configuring error handling controls for Kafka event sources".
 */

export interface ConfigSchemaHandler {
  defineFunctionEventProperties(provider: string, event: string, schema: { properties: Record<string, unknown> }): void;
}

const ERROR_HANDLING_PROPERTIES = {
  functionResponseTypes: { type: 'array', items: { enum: ['ReportBatchItemFailures'] }, maxItems: 1 },
  maximumRetryAttempts: { type: 'integer', minimum: -1, maximum: 10_000 },
  // -1 or 60..604800: the gap 0..59 is refused by config.ts, with a clearer message than a schema's anyOf gets from osls.
  maximumRecordAgeInSeconds: { type: 'integer', minimum: -1, maximum: 604_800 },
  bisectBatchOnFunctionError: { type: 'boolean' },
};

/** osls's `kafka` event already has onFailureDestination (a string); its `msk` event has none. */
const EVENT_PROPERTIES = {
  kafka: ERROR_HANDLING_PROPERTIES,
  msk: { ...ERROR_HANDLING_PROPERTIES, onFailureDestination: { type: 'string' } },
};

/**
 * One property at a time: a property a newer osls (or another plugin) already defines keeps its definition
 * (the framework refuses a second one with SCHEMA_COLLISION).
 */
export function defineEventProperties(handler: ConfigSchemaHandler): void {
  for (const [event, properties] of Object.entries(EVENT_PROPERTIES)) {
    for (const [name, schema] of Object.entries(properties)) {
      try {
        handler.defineFunctionEventProperties('aws', event, { properties: { [name]: schema } });
      } catch (error) {
        if ((error as { code?: string }).code !== 'SCHEMA_COLLISION') throw error;
      }
    }
  }
}
