/**
 * A regression tree as plain data. Rows go left when `x <= threshold` (ONNX `BRANCH_LEQ`) with
 * `x` rounded to float32, and left when `x` is missing only if `missingGoesLeft`. Thresholds and
 * leaf values are float32-representable, so the ONNX export holds exactly these numbers.
 */
export interface SplitNode {
  readonly kind: 'split';
  readonly feature: number;
  readonly threshold: number;
  readonly missingGoesLeft: boolean;
  readonly left: number;
  readonly right: number;
}

export interface LeafNode {
  readonly kind: 'leaf';
  /** Contribution to the prediction, learning rate already applied. */
  readonly value: number;
}

export type TreeNode = SplitNode | LeafNode;

/** `nodes[0]` is the root; children are referenced by index. */
export interface Tree {
  readonly nodes: readonly TreeNode[];
}

/** The value of the leaf reached by the row starting at `values[offset]`. */
export function predictTree(tree: Tree, values: ArrayLike<number>, offset: number): number {
  let node = tree.nodes[0];
  while (node.kind === 'split') {
    const x = Math.fround(values[offset + node.feature]);
    const goesLeft = Number.isNaN(x) ? node.missingGoesLeft : x <= node.threshold;
    node = tree.nodes[goesLeft ? node.left : node.right];
  }
  return node.value;
}

export function treeDepth(tree: Tree, index = 0): number {
  const node = tree.nodes[index];
  return node.kind === 'leaf' ? 0 : 1 + Math.max(treeDepth(tree, node.left), treeDepth(tree, node.right));
}

export function leafCount(tree: Tree): number {
  return tree.nodes.filter((node) => node.kind === 'leaf').length;
}
