"""Reference numbers for the ARIMA(p,1,0) baseline (functions/train/model/ar.ts).

Simulates a small ARIMA(2,1,0) series with drift, then fits AR(p) with a constant on its first
differences with statsmodels (conditional least squares = OLS), selecting p by AIC over 0..6 on a
common sample as ar_select_order does.

    python3 packages/forecasting/scripts/ar_reference.py > packages/forecasting/tests/fixtures/ar-reference.json
"""
import json

import numpy as np
from statsmodels.tsa.ar_model import AutoReg, ar_select_order

MAX_ORDER = 6
rng = np.random.default_rng(20261124)
changes = np.zeros(600)
for t in range(2, len(changes)):
    changes[t] = 0.05 + 0.6 * changes[t - 1] - 0.25 * changes[t - 2] + rng.normal(scale=0.4)
levels = 2.0 + np.cumsum(changes[200:])

differences = np.diff(levels)
selection = ar_select_order(differences, maxlag=MAX_ORDER, ic="aic", trend="c")
order = len(selection.ar_lags or [])
fit = AutoReg(differences, lags=order, trend="c").fit()
forecast = fit.predict(start=len(differences), end=len(differences) + 5)

print(json.dumps({
    "levels": [round(float(v), 10) for v in levels],
    "maxOrder": MAX_ORDER,
    # statsmodels keys each candidate by its lag tuple, or 0 for the constant-only model.
    "aicByOrder": {str(len(lags) if lags else 0): float(aic) for lags, aic in selection.aic.items()},
    "order": order,
    "intercept": float(fit.params[0]),
    "coefficients": [float(v) for v in fit.params[1:]],
    "residualVariance": float(fit.sigma2),
    "observations": int(fit.nobs),
    "levelForecast": [float(v) for v in levels[-1] + np.cumsum(forecast)],
}, indent=1))
