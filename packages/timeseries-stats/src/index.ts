/** Time-series statistics checked against statsmodels and scipy: STL, ACF/PACF, Pearson correlation with p-values, robust anomaly scores, calendar patterns. Pure, no I/O. */
export * from './stl';
export * from './correlogram';
export * from './correlation';
export * from './anomalies';
export * from './patterns';
