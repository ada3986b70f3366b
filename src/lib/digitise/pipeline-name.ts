/**
 * The digitise + signal pipeline's model name, `digitise-SIGNAL`: what `npm run eval -- --model digitise+DIR`
 * records as its model, and how the combined evaluations and the charts find those files again. Defined once here.
 */
const PREFIX = 'digitise-';

/** The pipeline built on signal model `signalModel`. */
export const pipelineModelName = (signalModel: string): string => `${PREFIX}${signalModel}`;

/** The signal model inside a pipeline's model name, or null when `model` is not a pipeline's. */
export const pipelineSignalModel = (model: string): string | null =>
  model.startsWith(PREFIX) ? model.slice(PREFIX.length) : null;
