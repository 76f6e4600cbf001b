"""LightGBM reference for the CO forecast: the strongest common baseline, on exactly our rows.

bench/forecast-reference.ts exports the training set the `train` function builds (its float32
feature matrix, and per horizon the fitted rows, the holdout rows, the scored mask, persistence
and the bootstrap's block starts) and runs this script on it; this script fits LightGBM (400
trees, learning rate 0.03, 31 leaves, bagging 0.8 every iteration, feature fraction 0.8) on the
training rows, once on the level y(t+H) and once on the change y(t+H) - y(t), and scores both on
the holdout the way `train` does: MAE over the scored rows, and the moving-block bootstrap
percentile interval of MAE(model) - MAE(persistence) over the very same resampled blocks.

    npx tsx bench/forecast-reference.ts      # exports, runs this script, prints ours vs LightGBM vs persistence

Writes the metrics to packages/forecasting/tests/fixtures/lightgbm-reference.json and the holdout
predictions next to the exported data (for the caller's cross-check). Reference only, never part
of the product.
"""
import hashlib
import json
import sys
from pathlib import Path

import lightgbm
import numpy as np

TREES = 400
PARAMS = {
    "objective": "regression",
    "learning_rate": 0.03,
    "num_leaves": 31,
    "bagging_fraction": 0.8,
    # LightGBM ignores bagging_fraction unless bagging_freq > 0.
    "bagging_freq": 1,
    "feature_fraction": 0.8,
    "seed": 42,
    "deterministic": True,
    "force_row_wise": True,
    # One thread: OpenMP threads spin on a shared, loaded machine, and the result does not depend on it.
    "num_threads": 1,
    "verbose": -1,
}


def mae_difference_interval(model, baseline, actual, scored, starts, block_length, confidence):
    """Our maeDifferenceInterval (packages/forecasting/src/evaluation/bootstrap.ts) over the given block starts."""
    n = len(actual)
    loss = np.where(scored, np.abs(model - actual) - np.abs(baseline - actual), 0.0)
    # Block sums from prefix sums: resample r's statistic is the loss over its blocks / the scored rows in them.
    loss_prefix = np.concatenate([[0.0], np.cumsum(loss)])
    count_prefix = np.concatenate([[0], np.cumsum(scored)])
    starts = np.asarray(starts)
    ends = starts + np.minimum(block_length, n - np.arange(starts.shape[1]) * block_length)
    totals = (loss_prefix[ends] - loss_prefix[starts]).sum(axis=1)
    counts = (count_prefix[ends] - count_prefix[starts]).sum(axis=1)
    statistics = totals[counts > 0] / counts[counts > 0]
    tail = (1 - confidence) / 2
    # numpy's default (linear) quantile is simple-statistics' quantileSorted.
    return {
        "difference": float(loss[scored].mean()),
        "lower": float(np.quantile(statistics, tail)),
        "upper": float(np.quantile(statistics, 1 - tail)),
    }


def fit_predict(features, train_rows, train_target, holdout_rows):
    data = lightgbm.Dataset(features[train_rows], label=train_target, params=PARAMS)
    model = lightgbm.train(PARAMS, data, num_boost_round=TREES)
    return model.predict(features[holdout_rows])


def main(data_dir: Path, fixture: Path) -> None:
    meta = json.loads((data_dir / "meta.json").read_text())
    raw = (data_dir / "features.f32").read_bytes()
    features = np.frombuffer(raw, dtype="<f4").reshape(meta["rows"], meta["cols"]).astype(np.float64)
    results, predictions = [], {}
    for horizon in meta["horizons"]:
        h = horizon["horizon"]
        train_rows = np.array(horizon["trainRows"])
        holdout_rows = np.array(horizon["holdoutRows"])
        # JSON has no NaN: an hour past the end of the series is null (and never scored).
        actual = np.array([np.nan if v is None else v for v in horizon["holdoutActual"]], dtype=np.float64)
        scored = np.array(horizon["holdoutScored"], dtype=bool)
        persistence = np.array(horizon["persistence"], dtype=np.float64)
        train_target = np.array(horizon["trainTarget"], dtype=np.float64)
        train_base = features[train_rows, meta["baseColumn"]]
        holdout_base = features[holdout_rows, meta["baseColumn"]]
        forecasts = {
            "level": fit_predict(features, train_rows, train_target, holdout_rows),
            "change": holdout_base + fit_predict(features, train_rows, train_target - train_base, holdout_rows),
        }
        interval = lambda forecast: mae_difference_interval(
            np.nan_to_num(forecast),
            persistence,
            np.nan_to_num(actual),
            scored,
            horizon["bootstrapStarts"],
            meta["bootstrap"]["blockLength"],
            meta["bootstrap"]["confidence"],
        )
        mae = lambda forecast: float(np.abs(forecast - actual)[scored].mean())
        results.append({
            "horizon": h,
            "trainRows": len(train_rows),
            "scoredHours": int(scored.sum()),
            "persistenceMae": mae(persistence),
            "lightgbm": {target: {"mae": mae(f), "vsPersistence": interval(f)} for target, f in forecasts.items()},
        })
        predictions[str(h)] = {target: [float(v) for v in f] for target, f in forecasts.items()}
    (data_dir / "lightgbm-predictions.json").write_text(json.dumps(predictions))
    fixture.write_text(json.dumps({
        "lightgbm": lightgbm.__version__,
        "numpy": np.__version__,
        "trees": TREES,
        "params": PARAMS,
        "input": {
            "featuresSha256": hashlib.sha256(raw).hexdigest(),
            "rows": meta["rows"],
            "features": meta["names"],
            "target": meta["target"],
            "bootstrap": meta["bootstrap"],
        },
        "results": results,
    }, indent=2) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
