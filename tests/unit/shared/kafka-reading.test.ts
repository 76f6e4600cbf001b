import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeRecord, impossibleValues, readReading } from '../../../shared/kafka-reading';
import { reading, record, T0 } from '../../support/kafka-records';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const rejection = (r: ReturnType<typeof record>) => {
  const decoded = decodeRecord(r);
  assert.equal(decoded.ok, false, 'expected a rejection');
  return decoded as Extract<typeof decoded, { ok: false }>;
};

describe('readReading', () => {
  it('checks the record as Lambda sends it, then decodes its reading; either way it returns the record', () => {
    const r = reading('station-01', 7, T0);
    const delivered = { ...record(3, r), headers: [{ note: [-61, -85] }] };
    assert.deepEqual(readReading(delivered), { ok: true, record: delivered, reading: r });
    const tombstone = readReading(record(4, undefined, { key: 'station-01' }));
    assert.deepEqual([tombstone.ok, !tombstone.ok && tombstone.kind, tombstone.record.offset], [false, 'tombstone', 4]);
    const malformed = readReading({ ...record(5, r), offset: 5, key: 7 });
    assert.deepEqual([malformed.ok, !malformed.ok && malformed.kind], [false, 'record']);
  });
});

describe('decodeRecord', () => {
  it('accepts a valid reading keyed by its station', () => {
    const r = reading('station-01', 7, T0);
    const decoded = decodeRecord(record(0, r));
    assert.deepEqual(decoded, { ok: true, reading: r });
  });

  it('rejects a tombstone, bad base64, non-UTF-8 bytes and non-JSON, naming the problem', () => {
    assert.equal(rejection(record(0, undefined, { key: 'station-01' })).kind, 'tombstone');
    const badBase64 = rejection(record(0, 'not base64!', { key: 'station-01' }));
    assert.equal(badBase64.kind, 'base64');
    assert.match(badBase64.reason, /not valid base64/);
    assert.equal(
      rejection(record(0, Buffer.from([0xff, 0xfe, 0x7b]).toString('base64'), { key: 'station-01' })).kind,
      'utf8',
    );
    const json = rejection(record(0, b64('{"stationId":'), { key: 'station-01' }));
    assert.equal(json.kind, 'json');
    assert.match(json.reason, /value is not JSON/);
  });

  it('rejects schema violations with the field and the rule', () => {
    const noSequence = rejection(record(0, { ...reading('station-01', 1, T0), sequence: -1 }));
    assert.equal(noSequence.kind, 'schema');
    assert.match(noSequence.reason, /sequence: sequence must be a non-negative integer/);
    const badTime = rejection(record(0, { ...reading('station-01', 1, T0), observedAt: 'yesterday' }));
    assert.match(badTime.reason, /observedAt: must be an ISO-8601 date-time/);
    assert.match(rejection(record(0, b64('[1,2]'), { key: 'station-01' })).reason, /^Invalid payload: payload:/);
  });

  it('rejects a record whose key is not its station', () => {
    const wrongKey = rejection(record(0, reading('station-01', 1, T0), { key: 'station-02' }));
    assert.equal(wrongKey.kind, 'key');
    assert.match(wrongKey.reason, /record key "station-02" differs from stationId "station-01"/);
    assert.match(rejection(record(0, b64(JSON.stringify(reading('station-01', 1, T0))))).reason, /record key null/);
  });

  it('rejects physically impossible values and accepts the extremes that are possible', () => {
    const base = reading('station-01', 1, T0);
    const impossible = rejection(record(0, { ...base, readings: { ...base.readings, co_gt: -0.1, rh: 100.5 } }));
    assert.equal(impossible.kind, 'impossible');
    assert.equal(
      impossible.reason,
      'readings.co_gt = -0.1 is below the physical minimum 0 mg/m³; readings.rh = 100.5 is above the physical maximum 100 %',
    );
    assert.deepEqual(impossibleValues({ ...base, readings: { co_gt: 0, t: -1.9, rh: 100, ah: 0 } }), []);
    assert.deepEqual(impossibleValues({ ...base, readings: { t: 61 } }), [
      'readings.t = 61 is above the physical maximum 60 °C',
    ]);
  });
});
