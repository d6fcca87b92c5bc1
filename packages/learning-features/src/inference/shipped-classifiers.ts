import domainModel from './models/domain-classifier.json';
import taskTypeModel from './models/task-type-classifier.json';
import { NaiveBayesClassifier, type NaiveBayesModel } from './naive-bayes';

let taskTypeClassifier: NaiveBayesClassifier | undefined;
let domainClassifier: NaiveBayesClassifier | undefined;

/**
 * The shipped task-type classifier (multinomial naive Bayes over subject tokens, trained on all 11,013 labelled
 * commit subjects of vuejs/core and prisma/prisma by `scripts/train-classifiers.ts`, recent commits weighted more:
 * half-life = half of each repository's history). The default `combined` method mixes it with the keyword rules.
 * Loaded on first use.
 */
export function shippedTaskTypeClassifier(): NaiveBayesClassifier {
  taskTypeClassifier ??= new NaiveBayesClassifier(taskTypeModel as NaiveBayesModel);
  return taskTypeClassifier;
}

/** The shipped primary-domain classifier (trained on the subjects whose domain could be derived; see data/). */
export function shippedDomainClassifier(): NaiveBayesClassifier {
  domainClassifier ??= new NaiveBayesClassifier(domainModel as NaiveBayesModel);
  return domainClassifier;
}
