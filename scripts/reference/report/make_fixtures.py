"""Reference numbers for the report function's fidelity tests, from statsmodels and scipy.

Parses the UCI csv independently of the product (pandas), then writes
  tests/fixtures/report/uci_reference.json  real-dataset ACF/PACF, Pearson r/p, STL residual sample, anomaly counts
  packages/timeseries-stats/tests/fixtures/stl_synthetic.json  full STL decompositions of a small series under several settings

Run from the repo root:  python3 scripts/reference/report/make_fixtures.py [path/to/AirQualityUCI.csv]
"""
import json
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.tsa.seasonal import STL
from statsmodels.tsa.stattools import acf, pacf

ROOT = Path(__file__).resolve().parents[3]
OUT = ROOT / "tests" / "fixtures" / "report"
POLLUTANTS = ["co_gt", "c6h6_gt", "nox_gt", "no2_gt"]
NLAGS = 48
ALPHA = 0.05
PERIOD = 24
THRESHOLD = 3.5
RESIDUAL_SAMPLE_STEP = 97  # a prime stride, so the sample does not alias the daily cycle


def column_id(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "_", name.lower()).rstrip("_")


def load(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, sep=";", decimal=",", encoding="latin1")
    raw = raw.loc[:, ~raw.columns.str.startswith("Unnamed")].dropna(how="all")
    index = pd.to_datetime(raw.pop("Date") + " " + raw.pop("Time"), format="%d/%m/%Y %H.%M.%S", utc=True)
    frame = raw.astype(float).replace(-200.0, np.nan)
    frame.columns = [column_id(c) for c in frame.columns]
    frame.index = index
    return frame


def correlation(frame: pd.DataFrame) -> dict:
    kept = [c for c in frame.columns if frame[c].isna().mean() <= 0.5]
    r = np.eye(len(kept))
    p = np.zeros((len(kept), len(kept)))
    n = np.zeros((len(kept), len(kept)), dtype=int)
    for i, a in enumerate(kept):
        for j, b in enumerate(kept):
            both = frame[[a, b]].dropna()
            n[i, j] = len(both)
            if i != j:
                res = stats.pearsonr(both[a], both[b])
                r[i, j], p[i, j] = res.statistic, res.pvalue
    excluded = [c for c in frame.columns if c not in kept]
    return {"columns": kept, "excluded": excluded, "r": r.tolist(), "p": p.tolist(), "n": n.tolist()}


def mad_anomalies(residual: np.ndarray, observed: np.ndarray) -> int:
    r = residual[observed]
    med = np.median(r)
    mad = np.median(np.abs(r - med))
    z = 0.6745 * (r - med) / mad
    return int((np.abs(z) > THRESHOLD).sum())


def pollutant_reference(series: pd.Series) -> dict:
    observed = series.notna().to_numpy()
    filled = series.interpolate(method="time", limit_direction="both").to_numpy()
    a, a_ci = acf(filled, nlags=NLAGS, alpha=ALPHA, result_object=False)
    p, p_ci = pacf(filled, nlags=NLAGS, alpha=ALPHA)
    resid = STL(filled, period=PERIOD).fit().resid
    sample = np.arange(0, len(filled), RESIDUAL_SAMPLE_STEP)
    return {
        "acf": a.tolist(), "acfConfint": a_ci.tolist(),
        "pacf": p.tolist(), "pacfConfint": p_ci.tolist(),
        "stlResidualSample": {"step": RESIDUAL_SAMPLE_STEP, "index": sample.tolist(), "values": resid[sample].tolist()},
        "stlResidualStd": float(np.std(resid)),
        "anomalyCount": mad_anomalies(resid, observed),
    }


def synthetic_stl() -> dict:
    n, period = 120, 7
    t = np.arange(n)
    # deterministic "noise" plus two outliers, so robust and non-robust fits differ
    y = 0.05 * t + 2 * np.sin(2 * np.pi * t / period) + 0.3 * np.cos(1.7 * t * t) + np.where(t % 53 == 10, 6.0, 0.0)
    cases = {
        "defaults": {},
        "robust": {"robust": True},
        "jumpsAndDegrees": {"seasonal": 9, "seasonal_deg": 0, "trend_deg": 0, "seasonal_jump": 2, "trend_jump": 3, "low_pass_jump": 2},
    }
    out = {"period": period, "y": y.tolist(), "cases": {}}
    for name, kwargs in cases.items():
        res = STL(y, period=period, **kwargs).fit()
        out["cases"][name] = {"options": kwargs, "trend": res.trend.tolist(), "seasonal": res.seasonal.tolist()}
    return out


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "datasets" / "AirQualityUCI.csv"
    frame = load(path)
    reference = {
        "source": "statsmodels STL/acf/pacf (defaults), scipy.stats.pearsonr; gaps filled by pandas interpolate(method='time', limit_direction='both')",
        "rows": len(frame),
        "correlation": correlation(frame),
        "pollutants": {p: pollutant_reference(frame[p]) for p in POLLUTANTS},
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "uci_reference.json").write_text(json.dumps(reference, indent=1))
    (ROOT / "packages" / "timeseries-stats" / "tests" / "fixtures" / "stl_synthetic.json").write_text(json.dumps(synthetic_stl(), indent=1))
    print({p: v["anomalyCount"] for p, v in reference["pollutants"].items()}, reference["correlation"]["excluded"])


if __name__ == "__main__":
    main()
