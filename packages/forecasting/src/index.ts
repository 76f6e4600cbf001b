/** Forecasting: a histogram gradient-boosted tree trainer, a differenced AR model, ONNX export and evaluation (metrics, persistence, rolling-origin folds, grid search, block-bootstrap intervals). Pure, no I/O. */
export * from './model/matrix';
export * from './model/binning';
export * from './model/tree';
export * from './model/histogram';
export * from './model/grow-tree';
export * from './model/gbt';
export * from './model/ar';
export * from './onnx/model-proto';
export * from './onnx/linear';
export * from './onnx/tree-ensemble';
export * from './evaluation/metrics';
export * from './evaluation/persistence';
export * from './evaluation/rolling-origin';
export * from './evaluation/grid-search';
export * from './evaluation/bootstrap';
