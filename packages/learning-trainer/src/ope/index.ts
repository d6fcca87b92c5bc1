export { offPolicyRecordSchema, offPolicyEstimators, offPolicyEstimatorSchema, type OffPolicyRecord, type OffPolicyEstimator } from './off-policy-record';
export {
  offPolicyEvaluationOptionsSchema,
  type OffPolicyEvaluationOptions,
  type OffPolicyEvaluationOptionsInput,
} from './off-policy-evaluation-options';
export { ImportanceWeightedSample, effectiveSampleSize } from './importance-weighted-sample';
export { estimatePolicyValue, type PolicyValueEstimate } from './estimate-policy-value';
export { comparePolicyValues, type BootstrapComparison } from './compare-policy-values';
/** The one policy comparison type, owned by the artifact format (`policyComparisonSchema` of `@orchestra/learning-policy`). */
export type { PolicyComparison } from '@orchestra/learning-policy';
export { evaluate, offPolicyRecordsFromExperiences, type EvaluatedPolicy, type ExperienceEvaluationOptions } from './evaluate';
export { InsufficientOverlapError, type InsufficientOverlapReason } from './errors/insufficient-overlap-error';
export { checkAgainstOnPolicyRewards, type OnPolicyCheck } from './check-against-on-policy-rewards';
export { evaluatedPolicyFromPolicy, policyInputOf, type ProbabilityReportingPolicy } from './evaluated-policy-from-policy';
export { evaluateModelArtifact, evaluateModelArtifactWithCritic, judgedPolicyOptions, type EvaluateModelArtifactOptions, type EvaluateWithCriticOptions, type GateJudgement } from './evaluate-model-artifact';
export { compareWithCritic, gateFoldOf, type CompareWithCriticOptions, type CriticGateComparison, type CriticGateEstimate, type GatePolicy } from './critic-gate';
export { regateCandidate, type RegateCandidateOptions, type RegateComparison } from './regate-candidate';
export { groupSequentialBound, medianUnbiasedEstimate, oneSidedBound, pocockErrorSpent, stagewiseExceedance, MINIMUM_INFORMATION_GROWTH, type SequentialLook } from './group-sequential';
