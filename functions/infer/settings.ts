import { DEFAULT_FEATURE_COLUMNS } from '@air-quality/preprocessing';
import { ConfigError } from '../../shared/config';

interface InferSettings {
  target: string;
  horizon: number;
  predictionsPrefix: string;
  /** Where the partitions' feature windows are kept (see WindowStore). */
  statePrefix: string;
  driftThreshold: number;
}

type Env = Record<string, string | undefined>;

/** A key prefix setting, ending in '/' so keys are always below it. */
const prefixSetting = (value: string | undefined, fallback: string) => {
  const prefix = value?.trim() || fallback;
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
};

/** infer's own settings: which model it serves, where predictions and window state go, when drift warns. */
export function inferSettings(env: Env = process.env): InferSettings {
  const target = env.MODEL_TARGET?.trim() || 'co_gt';
  if (!DEFAULT_FEATURE_COLUMNS.includes(target))
    throw new ConfigError(
      `MODEL_TARGET=${target} is not a forecast target; use one of ${DEFAULT_FEATURE_COLUMNS.join(', ')}.`,
    );
  const horizon = Number(env.MODEL_HORIZON?.trim() || 1);
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > 24)
    throw new ConfigError(`MODEL_HORIZON=${env.MODEL_HORIZON} must be an integer from 1 to 24 (hours ahead).`);
  const driftThreshold = Number(env.DRIFT_Z_THRESHOLD?.trim() || 3);
  if (!(driftThreshold > 0))
    throw new ConfigError(
      `DRIFT_Z_THRESHOLD=${env.DRIFT_Z_THRESHOLD} must be a positive number (training standard deviations).`,
    );
  return {
    target,
    horizon,
    driftThreshold,
    predictionsPrefix: prefixSetting(env.PREDICTIONS_PREFIX, 'predictions/'),
    statePrefix: prefixSetting(env.INFER_STATE_PREFIX, 'state/infer/'),
  };
}
