"""Reference predictions for the gradient-boosted trees (functions/train/model/gbt.ts).

scikit-learn's exact GradientBoostingRegressor with squared error, no subsampling and depth 2,
on 300 rows with at most 255 distinct values per feature: our histogram trees then see every
distinct value as its own bin, and with lambda 0, no leaf limit beyond the depth and the same
minimum leaf size, grow the same trees. The fixture keeps the data and the training-row predictions.

    python3 packages/forecasting/scripts/gbt_reference.py > packages/forecasting/tests/fixtures/gbt-reference.json
"""
import json

import numpy as np
from sklearn.ensemble import GradientBoostingRegressor

rng = np.random.default_rng(20261124)
rows, cols = 300, 3
# Rounded to two decimals: at most 101 distinct values per feature, exact in float32 bins.
features = np.round(rng.uniform(0, 1, size=(rows, cols)), 2)
target = np.sin(6 * features[:, 0]) + 2 * features[:, 1] * features[:, 2] + rng.normal(scale=0.1, size=rows)

params = {"n_estimators": 20, "learning_rate": 0.1, "max_depth": 2, "min_samples_leaf": 5}
model = GradientBoostingRegressor(loss="squared_error", subsample=1.0, random_state=0, **params)
model.fit(features, target)

print(json.dumps({
    "params": params,
    "features": [[float(v) for v in row] for row in features],
    "target": [float(v) for v in target],
    "prediction": [float(v) for v in model.predict(features)],
}))
