import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anomalyIndexes, robustZScores } from '../../src/anomalies';
import { dayOfWeek, hourOfDay, meanByBucket } from '../../src/patterns';

describe('robustZScores', () => {
  it('scales deviations from the median by the MAD', () => {
    // median 3, absolute deviations 2,1,0,1,97 → MAD 1
    const scores = robustZScores([1, 2, 3, 4, 100]);
    assert.equal(scores.median, 3);
    assert.equal(scores.mad, 1);
    assert.deepEqual(Array.from(scores.z), [-1.349, -0.6745, 0, 0.6745, 0.6745 * 97]);
    assert.deepEqual(anomalyIndexes(scores, 3.5), [4]);
    assert.deepEqual(anomalyIndexes(scores, 100), []);
  });

  it('leaves unscored positions out of the median and flags', () => {
    const scores = robustZScores([1, 2, 3, 4, 100, 1000], (i) => i !== 5);
    assert.equal(scores.median, 3);
    assert.ok(Number.isNaN(scores.z[5]));
    assert.deepEqual(anomalyIndexes(scores, 3.5), [4]);
  });

  it('flags nothing without spread and rejects a bad threshold', () => {
    assert.deepEqual(anomalyIndexes(robustZScores([5, 5, 5, 9]), 3.5), []);
    assert.throws(() => anomalyIndexes(robustZScores([1, 2]), 0), /threshold must be a positive number/);
  });
});

describe('patterns', () => {
  it('averages present values per hour of day and ISO weekday', () => {
    const monday = Date.UTC(2004, 2, 15, 0);
    const stamps = [monday, monday + 3_600_000, monday + 24 * 3_600_000, monday + 25 * 3_600_000];
    assert.equal(dayOfWeek(monday), 0);
    assert.equal(hourOfDay(monday + 3_600_000), 1);
    assert.deepEqual(meanByBucket(stamps, [1, 10, 3, NaN], hourOfDay, 3), [2, 10, NaN]);
    assert.deepEqual(meanByBucket(stamps, [1, 10, 3, NaN], dayOfWeek, 2), [5.5, 3]);
  });
});
