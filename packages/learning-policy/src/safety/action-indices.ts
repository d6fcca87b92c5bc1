import { actionHeads, type ActionSpace } from '@orchestra/learning-features';

/** Sets every inactive head (model heads of roles not in the team) to the executor's model index, as ActionSpace does. */
export function canonicalizeIndices(space: ActionSpace, indices: Int32Array): Int32Array {
  const executorModel = indices[actionHeads.model_executor]!;
  for (let head = 0; head < space.heads.length; head += 1) {
    if (!space.isHeadActive(head, indices)) indices[head] = executorModel;
  }
  return indices;
}

/** Index of the first head where two canonical index vectors differ, or -1 when they are the same action. */
export function firstDifferentHead(space: ActionSpace, left: ArrayLike<number>, right: ArrayLike<number>): number {
  for (let head = 0; head < space.heads.length; head += 1) {
    if (left[head] !== right[head] && (space.isHeadActive(head, left) || space.isHeadActive(head, right))) return head;
  }
  return -1;
}
