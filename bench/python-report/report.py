"""The report as the Python prototype made it: the anchor of bench/report.ts, never part of the product.

pandas reads the UCI csv, scipy gives the Pearson p-values, statsmodels the ACF/PACF and the STL, matplotlib
(Agg) draws the same 13 charts at the same pixel size as ours (2 px per point, like our scale 2), and the
same CSVs, summary.md and a standalone index.html with the charts embedded are written to a folder.

  python report.py <AirQualityUCI.csv> <output folder>
"""
import base64
import re
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()

import markdown  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402
from statsmodels.tsa.seasonal import STL  # noqa: E402
from statsmodels.tsa.stattools import acf, pacf  # noqa: E402

IMPORTED = time.perf_counter()

POLLUTANTS = ["co_gt", "c6h6_gt", "nox_gt", "no2_gt"]
PERIOD, NLAGS, ALPHA, THRESHOLD, MAX_MISSING = 24, 48, 0.05, 3.5, 0.5
LABELS = {
    "co_gt": ("CO", "mg/m³"), "pt08_s1_co": ("PT08.S1 (CO)", "sensor units"), "nmhc_gt": ("NMHC", "µg/m³"),
    "c6h6_gt": ("Benzene", "µg/m³"), "pt08_s2_nmhc": ("PT08.S2 (NMHC)", "sensor units"), "nox_gt": ("NOx", "ppb"),
    "pt08_s3_nox": ("PT08.S3 (NOx)", "sensor units"), "no2_gt": ("NO2", "µg/m³"),
    "pt08_s4_no2": ("PT08.S4 (NO2)", "sensor units"), "pt08_s5_o3": ("PT08.S5 (O3)", "sensor units"),
    "t": ("Temperature", "°C"), "rh": ("Relative humidity", "%"), "ah": ("Absolute humidity", "not stated by the source"),
}
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Pixel sizes of our charts (vega at scale 2); 144 dpi = 2 px per point.
DPI = 144
SIZES = {"pattern": (1612, 1204), "heatmap": (1500, 1366), "correlogram": (1544, 980),
         "decomposition": (1800, 1358), "anomalies": (1790, 736)}


def titled(column: str) -> str:
    label, unit = LABELS[column]
    return f"{label} ({unit})"


def column_id(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "_", name.lower()).rstrip("_")


def load(path: str) -> pd.DataFrame:
    raw = pd.read_csv(path, sep=";", decimal=",", encoding="latin1")
    raw = raw.loc[:, ~raw.columns.str.startswith("Unnamed")].dropna(how="all")
    index = pd.to_datetime(raw.pop("Date") + " " + raw.pop("Time"), format="%d/%m/%Y %H.%M.%S", utc=True)
    frame = raw.astype(float).replace(-200.0, np.nan)
    frame.columns = [column_id(c) for c in frame.columns]
    frame.index = index
    return frame.sort_index().asfreq("h")


def figure(kind: str, **subplots):
    w, h = SIZES[kind]
    return plt.subplots(figsize=(w / DPI, h / DPI), dpi=DPI, **subplots)


def save(fig, out: Path, name: str) -> None:
    fig.savefig(out / name, dpi=DPI)
    plt.close(fig)


def pattern_chart(means: pd.DataFrame, title: str, xlabel: str, out: Path, name: str) -> None:
    fig, axes = figure("pattern", nrows=2, ncols=2, layout="constrained")
    fig.suptitle(f"{title}\nMean of the observed values; missing hours are left out", fontsize=12)
    for ax, column in zip(axes.flat, means.columns):
        ax.plot(means.index.astype(str), means[column], marker="o", color="#1f77b4")
        ax.set_title(titled(column), fontweight="bold")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("Mean (unit in panel title)")
        ax.grid(alpha=0.3)
    save(fig, out, name)


def heatmap(r: pd.DataFrame, out: Path) -> None:
    fig, ax = figure("heatmap", layout="constrained")
    image = ax.imshow(r.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1)
    names = [LABELS[c][0] for c in r.columns]
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), names)
    for (i, j), v in np.ndenumerate(r.to_numpy()):
        ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8, color="white" if abs(v) > 0.6 else "black")
    fig.colorbar(image, ax=ax, label="r")
    ax.set_title("Pearson correlation (pairwise-complete observations)\np-values in correlation_matrix_pvalues.csv")
    save(fig, out, "correlation_matrix.png")


def correlogram_chart(results: dict, which: str, title: str, out: Path, name: str) -> None:
    fig, axes = figure("correlogram", nrows=2, ncols=2, sharey=True, layout="constrained")
    fig.suptitle(f"{title}\nShaded: 95 % confidence band; gaps filled by linear interpolation", fontsize=12)
    for ax, (column, res) in zip(axes.flat, results.items()):
        values, confint = res[which], res[f"{which}_confint"]
        lags = np.arange(len(values))
        band = confint[:, 1] - values
        ax.fill_between(lags, -band, band, alpha=0.25, color="#1f77b4", linewidth=0)
        ax.vlines(lags, 0, values, color="#1f77b4")
        ax.plot(lags, values, "o", color="#1f77b4", markersize=3)
        ax.set_ylim(-1, 1)
        ax.set_xticks(range(0, NLAGS + 1, 6))
        ax.set_title(titled(column), fontweight="bold")
        ax.set_xlabel("Lag (hours)")
        ax.set_ylabel("Correlation")
        ax.grid(alpha=0.3)
    save(fig, out, name)


def decomposition_chart(column: str, filled: pd.Series, fit, out: Path) -> None:
    fig, axes = figure("decomposition", nrows=4, sharex=True, layout="constrained")
    fig.suptitle(f"{titled(column)}: STL decomposition (period {PERIOD} h)\n"
                 "Observed series with gaps filled by linear interpolation", fontsize=12)
    unit = LABELS[column][1]
    for ax, (part, values) in zip(axes, [("Observed", filled), ("Trend", fit.trend), ("Seasonal", fit.seasonal),
                                         ("Residual", fit.resid)]):
        ax.plot(filled.index, values, linewidth=0.7, color="#333333" if part == "Observed" else "#1f77b4")
        ax.set_ylabel(f"{part} ({unit})")
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel("Time (UTC)")
    save(fig, out, f"{column}_decomposition.png")


def anomaly_chart(column: str, observed: pd.Series, flagged: pd.Series, out: Path) -> None:
    fig, ax = figure("anomalies", layout="constrained")
    ax.plot(observed.index, observed, linewidth=0.6, color="#7f7f7f", label="Observed")
    ax.scatter(flagged.index, flagged, s=12, color="#d62728", zorder=3, label=f"Anomaly (|robust z| > {THRESHOLD})")
    ax.set_title(f"{titled(column)}: residual anomalies\n{len(flagged)} hours flagged by MAD on the STL residual")
    ax.set_xlabel("Time (UTC)")
    ax.set_ylabel(titled(column))
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    save(fig, out, f"{column}_anomalies.png")


def correlation(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    r = frame.corr()
    p = pd.DataFrame(0.0, index=r.index, columns=r.columns)
    n = pd.DataFrame(0, index=r.index, columns=r.columns)
    for i, a in enumerate(frame.columns):
        n.loc[a, a] = frame[a].notna().sum()
        for b in frame.columns[i + 1:]:
            both = frame[[a, b]].dropna()
            n.loc[a, b] = n.loc[b, a] = len(both)
            p.loc[a, b] = p.loc[b, a] = stats.pearsonr(both[a], both[b]).pvalue
    return r, p, n


def analyse_pollutant(series: pd.Series) -> dict:
    filled = series.interpolate(method="time", limit_direction="both")
    a, a_ci = acf(filled, nlags=NLAGS, alpha=ALPHA, result_object=False)
    p, p_ci = pacf(filled, nlags=NLAGS, alpha=ALPHA, result_object=False)
    fit = STL(filled, period=PERIOD).fit()
    resid = fit.resid[series.notna()]
    median = resid.median()
    mad = (resid - median).abs().median()
    z = 0.6745 * (resid - median) / mad
    flagged = z[z.abs() > THRESHOLD]
    strength = {part: max(0.0, 1 - fit.resid.var() / (getattr(fit, part) + fit.resid).var())
                for part in ("seasonal", "trend")}
    return {"filled": filled, "fit": fit, "acf": a, "acf_confint": a_ci, "pacf": p, "pacf_confint": p_ci,
            "median": median, "mad": mad, "z": z, "flagged": flagged, "strength": strength}


def correlogram_csv(results: dict, which: str) -> pd.DataFrame:
    return pd.concat(
        pd.DataFrame({"pollutant": column, "lag": np.arange(NLAGS + 1), which: res[which],
                      "confint_lower": res[f"{which}_confint"][:, 0], "confint_upper": res[f"{which}_confint"][:, 1]})
        for column, res in results.items())


def report_markdown(frame, coverage, excluded, patterns, r, p, n, results, anomalies, names, image, details) -> str:
    def table(df: pd.DataFrame) -> str:
        return df.to_markdown(index=False)

    hours, rows = len(frame), int(frame.notna().any(axis=1).sum())
    start, end = (t.strftime("%Y-%m-%d %H:%M") for t in (frame.index[0], frame.index[-1]))
    pairs = [(a, b) for i, a in enumerate(r.columns) for b in r.columns[i + 1:]]
    strongest = sorted(pairs, key=lambda ab: -abs(r.loc[ab]))[:8]
    parts = [
        "# Air-quality report", f"{start} to {end} UTC: {hours} hours, {rows} rows.",
        "## Data coverage", table(coverage),
        f"Excluded for missing more than {MAX_MISSING:.1%} of the hours: "
        + ", ".join(f"{c} ({coverage.set_index('column').loc[c, 'missing']} missing)" for c in excluded) + ".",
        "## Daily and weekly patterns", table(patterns), image("daily_pattern.png"), image("weekly_pattern.png"),
        "## Correlation",
        "Pearson r on pairwise-complete hours; two-sided p-values from Student's t with n − 2 degrees of freedom.",
        "Strongest pairs:\n\n" + table(pd.DataFrame(
            [{"pair": f"{a} – {b}", "r": f"{r.loc[a, b]:.3f}", "p": f"{p.loc[a, b]:.1e}", "pairs used": n.loc[a, b]}
             for a, b in strongest])),
        image("correlation_matrix.png"),
    ]
    if details:
        parts += ["### r\n\n" + r.round(3).reset_index(names="column").to_markdown(index=False),
                  "### p-values\n\n" + p.map(lambda v: f"{v:.1e}").reset_index(names="column").to_markdown(index=False)]
    parts += [
        "## Autocorrelation",
        f"Lags 0–{NLAGS} h on the gap-filled series; 95.0 % bands by Bartlett's formula (ACF) and 1/√n (PACF, Yule–Walker).",
        table(pd.DataFrame([{"pollutant": c, **{f"{w.upper()} lag {k}": f"{res[w][k]:.3f}" for w in ("acf", "pacf")
                                                for k in (1, 2, 24)}} for c, res in results.items()])),
        image("autocorrelation.png"), image("partial_autocorrelation.png"),
    ]
    if details:
        for which in ("acf", "pacf"):
            values = pd.DataFrame({c: res[which] for c, res in results.items()}).round(4).reset_index(names="lag")
            parts.append(f"<details><summary>{which.upper()} values</summary>\n\n{table(values)}\n\n</details>")
    parts += [
        "## Seasonal-trend decomposition (STL)",
        f"Period {PERIOD} h; LOESS spans seasonal 7, trend 47, low-pass 25; not robust (statsmodels' defaults otherwise). "
        "Strength = max(0, 1 − var(residual)/var(component + residual)).",
        table(pd.DataFrame([{"pollutant": titled(c), "seasonal strength": f"{res['strength']['seasonal']:.3f}",
                             "trend strength": f"{res['strength']['trend']:.3f}"} for c, res in results.items()])),
        *(image(f"{c}_decomposition.png") for c in results),
        "## Anomalies",
        "STL residuals at observed hours, robust z = 0.6745·(r − median)/MAD, flagged where |z| > "
        f"{THRESHOLD}. All flagged hours are in anomalies.csv.",
        table(pd.DataFrame([{"pollutant": c, "flagged": len(res["flagged"]),
                             "share of observed hours": f"{len(res['flagged']) / len(res['z']):.1%}",
                             "residual median": f"{res['median']:.4f}", "MAD": f"{res['mad']:.4f}"}
                            for c, res in results.items()])),
        *(image(f"{c}_anomalies.png") for c in results),
    ]
    if details:
        shown = anomalies.assign(timestamp=anomalies.timestamp.str.slice(0, 16).str.replace("T", " ")).round(3)
        parts.append(f"<details><summary>All {len(anomalies)} flagged hours</summary>\n\n{table(shown)}\n\n</details>")
    parts.append("## Files\n\n" + "\n".join(f"- [{name}]({name})" for name in names))
    return "\n\n".join(parts) + "\n"


def main() -> None:
    csv, out = sys.argv[1], Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    frame = load(csv)
    loaded = time.perf_counter()

    missing = frame.isna().mean()
    coverage = pd.DataFrame({"column": frame.columns, "name": [LABELS[c][0] for c in frame.columns],
                             "hours present": frame.notna().sum().to_numpy(),
                             "missing": [f"{m:.1%}" for m in missing]})
    excluded = [c for c in frame.columns if missing[c] > MAX_MISSING]
    measures = frame.drop(columns=excluded)
    r, p, n = correlation(measures)
    pollutants = frame[POLLUTANTS]
    by_hour = pollutants.groupby(pollutants.index.hour).mean()
    by_day = pollutants.groupby(pollutants.index.day_of_week).mean().set_axis([d[:3] for d in WEEKDAYS])
    results = {c: analyse_pollutant(frame[c]) for c in POLLUTANTS}
    patterns = pd.DataFrame([{"pollutant": titled(c), "peak hour (UTC)": by_hour[c].idxmax(),
                              "lowest hour (UTC)": by_hour[c].idxmin(),
                              "peak day": WEEKDAYS[int(np.nanargmax(by_day[c]))],
                              "lowest day": WEEKDAYS[int(np.nanargmin(by_day[c]))]}
                             for c in POLLUTANTS])
    anomalies = pd.concat(
        pd.DataFrame({"timestamp": res["z"][res["flagged"].index].index.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                      "pollutant": c, "value": frame.loc[res["flagged"].index, c].to_numpy(),
                      "residual": res["fit"].resid[res["flagged"].index].to_numpy(),
                      "robust_z": res["flagged"].to_numpy()})
        for c, res in results.items())
    analysed = time.perf_counter()

    pattern_chart(by_hour, "Mean by hour of day", "Hour of day (UTC)", out, "daily_pattern.png")
    pattern_chart(by_day, "Mean by day of week", "Day of week", out, "weekly_pattern.png")
    heatmap(r, out)
    correlogram_chart(results, "acf", "Autocorrelation (ACF)", out, "autocorrelation.png")
    correlogram_chart(results, "pacf", "Partial autocorrelation (PACF)", out, "partial_autocorrelation.png")
    for c, res in results.items():
        decomposition_chart(c, res["filled"], res["fit"], out)
        anomaly_chart(c, frame[c], frame.loc[res["flagged"].index, c], out)
    charted = time.perf_counter()

    r.reset_index(names="column").to_csv(out / "correlation_matrix.csv", index=False)
    p.reset_index(names="column").to_csv(out / "correlation_matrix_pvalues.csv", index=False)
    correlogram_csv(results, "acf").to_csv(out / "acf.csv", index=False)
    correlogram_csv(results, "pacf").to_csv(out / "pacf.csv", index=False)
    anomalies.to_csv(out / "anomalies.csv", index=False)
    names = sorted(f.name for f in out.iterdir()) + ["summary.md"]
    args = (frame, coverage, excluded, patterns, r, p, n, results, anomalies, names)
    (out / "summary.md").write_text(report_markdown(*args, image=lambda name: f"![{name}]({name})", details=False))

    # The images go in after the Markdown is parsed, as in ours: Python-Markdown would scan megabytes of base64.
    body = markdown.markdown(report_markdown(*args, image=lambda name: f"![{name}]({name})", details=True),
                             extensions=["tables"])
    for name in (f.name for f in out.glob("*.png")):
        uri = f"data:image/png;base64,{base64.b64encode((out / name).read_bytes()).decode()}"
        body = body.replace(f'src="{name}"', f'src="{uri}"')
    (out / "index.html").write_text(f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                                    f"<title>Air-quality report</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n")
    finished = time.perf_counter()
    ms = lambda a, b: round((b - a) * 1000)  # noqa: E731
    print(f'{{"importMs": {ms(STARTED, IMPORTED)}, "loadMs": {ms(IMPORTED, loaded)}, "analysisMs": {ms(loaded, analysed)}, '
          f'"chartsMs": {ms(analysed, charted)}, "writeMs": {ms(charted, finished)}, "cpuMs": {round(time.process_time() * 1000)}}}')


if __name__ == "__main__":
    main()
