import { onnx } from 'onnx-proto';
import type { GbtModel } from '../model/gbt';
import type { LeafNode, SplitNode, TreeNode } from '../model/tree';
import {
  attribute,
  encodeModel,
  featuresInput,
  onnxMlOpset,
  onnxOpset,
  predictionOutput,
  type OnnxModelInfo,
} from './model-proto';

interface NumberedNode {
  readonly treeId: number;
  readonly nodeId: number;
  readonly node: TreeNode;
}

/**
 * The ensemble as one ai.onnx.ml TreeEnsembleRegressor (opset 3). Our split rule "left when
 * x <= threshold" is BRANCH_LEQ with the left child as the true branch; a missing value takes the
 * true branch exactly when `missingGoesLeft`. Thresholds, leaf values and the base score are
 * float32 values in the model already, so the attributes hold them without rounding.
 */
export function gbtToOnnx(model: GbtModel, info: OnnxModelInfo = {}): Uint8Array {
  const nodes: NumberedNode[] = model.trees.flatMap((tree, treeId) =>
    tree.nodes.map((node, nodeId) => ({ treeId, nodeId, node })),
  );
  // Leaves still need a row in the nodes_* lists; their split fields are ignored.
  const split = ({ node }: NumberedNode): Partial<SplitNode> => (node.kind === 'split' ? node : {});
  const leaves = nodes.filter((entry): entry is NumberedNode & { node: LeafNode } => entry.node.kind === 'leaf');
  const regressor = onnx.NodeProto.create({
    opType: 'TreeEnsembleRegressor',
    domain: onnxMlOpset.domain,
    input: [featuresInput],
    output: [predictionOutput],
    attribute: [
      attribute.string('aggregate_function', 'SUM'),
      attribute.string('post_transform', 'NONE'),
      attribute.int('n_targets', 1),
      attribute.floats('base_values', [model.baseScore]),
      attribute.ints(
        'nodes_treeids',
        nodes.map((entry) => entry.treeId),
      ),
      attribute.ints(
        'nodes_nodeids',
        nodes.map((entry) => entry.nodeId),
      ),
      attribute.strings(
        'nodes_modes',
        nodes.map((entry) => (entry.node.kind === 'split' ? 'BRANCH_LEQ' : 'LEAF')),
      ),
      attribute.ints(
        'nodes_featureids',
        nodes.map((entry) => split(entry).feature ?? 0),
      ),
      attribute.floats(
        'nodes_values',
        nodes.map((entry) => split(entry).threshold ?? 0),
      ),
      attribute.ints(
        'nodes_truenodeids',
        nodes.map((entry) => split(entry).left ?? 0),
      ),
      attribute.ints(
        'nodes_falsenodeids',
        nodes.map((entry) => split(entry).right ?? 0),
      ),
      attribute.ints(
        'nodes_missing_value_tracks_true',
        nodes.map((entry) => (split(entry).missingGoesLeft ? 1 : 0)),
      ),
      attribute.ints(
        'target_treeids',
        leaves.map((entry) => entry.treeId),
      ),
      attribute.ints(
        'target_nodeids',
        leaves.map((entry) => entry.nodeId),
      ),
      attribute.ints(
        'target_ids',
        leaves.map(() => 0),
      ),
      attribute.floats(
        'target_weights',
        leaves.map((entry) => entry.node.value),
      ),
    ],
  });
  return encodeModel({ featureCount: model.featureCount, nodes: [regressor], opsets: [onnxOpset, onnxMlOpset] }, info);
}
