import { onnx } from 'onnx-proto';

/**
 * Every exported model has one float32 input `features` [N, F] (row-major feature columns, NaN
 * for missing) and one float32 output `prediction` [N, 1].
 */
export const featuresInput = 'features';
export const predictionOutput = 'prediction';

/** Standard ONNX and ai.onnx.ml opsets the exporters target. */
export const onnxOpset = { domain: '', version: 17 };
export const onnxMlOpset = { domain: 'ai.onnx.ml', version: 3 };

export interface OnnxModelInfo {
  /** Free text stored as the model's doc_string. */
  readonly description?: string;
  /** Stored as metadata_props, e.g. feature column names or the training run id. */
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface OnnxGraph {
  readonly featureCount: number;
  readonly nodes: onnx.INodeProto[];
  readonly initializers?: onnx.ITensorProto[];
  readonly opsets: readonly { domain: string; version: number }[];
}

export function encodeModel(graph: OnnxGraph, info: OnnxModelInfo = {}): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: onnx.Version.IR_VERSION,
    producerName: 'air-quality-pipeline/train',
    opsetImport: graph.opsets.map((opset) => onnx.OperatorSetIdProto.create(opset)),
    docString: info.description ?? '',
    metadataProps: Object.entries(info.metadata ?? {}).map(([key, value]) =>
      onnx.StringStringEntryProto.create({ key, value }),
    ),
    graph: onnx.GraphProto.create({
      name: 'forecast',
      node: graph.nodes,
      initializer: graph.initializers ?? [],
      input: [floatMatrix(featuresInput, graph.featureCount)],
      output: [floatMatrix(predictionOutput, 1)],
    }),
  });
  return onnx.ModelProto.encode(model).finish();
}

function floatMatrix(name: string, cols: number): onnx.IValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimParam: 'N' }, { dimValue: cols }] },
      },
    },
  });
}

export function floatTensor(name: string, dims: number[], values: ArrayLike<number>): onnx.ITensorProto {
  return onnx.TensorProto.create({
    name,
    dims,
    dataType: onnx.TensorProto.DataType.FLOAT,
    floatData: Array.from(values),
  });
}

const { AttributeType } = onnx.AttributeProto;
const utf8 = (text: string) => new TextEncoder().encode(text);

/** Typed node attributes: ONNX keeps ints, floats and strings in different fields. */
export const attribute = {
  int: (name: string, value: number) => onnx.AttributeProto.create({ name, type: AttributeType.INT, i: value }),
  string: (name: string, value: string) =>
    onnx.AttributeProto.create({ name, type: AttributeType.STRING, s: utf8(value) }),
  ints: (name: string, values: ArrayLike<number>) =>
    onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: Array.from(values) }),
  floats: (name: string, values: ArrayLike<number>) =>
    onnx.AttributeProto.create({ name, type: AttributeType.FLOATS, floats: Array.from(values) }),
  strings: (name: string, values: readonly string[]) =>
    onnx.AttributeProto.create({ name, type: AttributeType.STRINGS, strings: values.map(utf8) }),
};
