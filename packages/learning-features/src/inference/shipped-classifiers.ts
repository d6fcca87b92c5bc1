import domainModel from './models/domain-classifier.json';
import taskTypeModel from './models/task-type-classifier.json';
import { SoftmaxClassifier, type CompactLinearModel } from './softmax-classifier';

let taskTypeClassifier: SoftmaxClassifier | undefined;
let domainClassifier: SoftmaxClassifier | undefined;

/**
 * The shipped task-type classifier: multinomial logistic regression over transferable features (stemmed words and
 * word pairs seen in at least three of the five training repositories, the opening verb, keyword-rule scores),
 * trained on all 40,000 labelled subjects of data/commits.tsv.gz by `scripts/train-classifiers.ts`, int8-quantised,
 * temperature-calibrated on leave-one-repository-out predictions. Loaded on first use.
 */
export function shippedTaskTypeClassifier(): SoftmaxClassifier {
  taskTypeClassifier ??= new SoftmaxClassifier(taskTypeModel as CompactLinearModel);
  return taskTypeClassifier;
}

/** The shipped primary-domain classifier (same recipe, trained on the subjects whose domain could be derived). */
export function shippedDomainClassifier(): SoftmaxClassifier {
  domainClassifier ??= new SoftmaxClassifier(domainModel as CompactLinearModel);
  return domainClassifier;
}
