export { AiSdkLearning, createAiSdkLearning, type AiSdkLearningOptions, type LearningFacade, type LearningSession, type SessionOptions } from './ai-sdk-learning';
export { errorCodeOf } from './error-code';
export { AiSdkLearningConfigError, ModelCallTimeoutError, UnknownSessionError } from './errors';
export type { LanguageModelV4, LanguageModelV4CallOptions, LanguageModelV4GenerateResult, LanguageModelV4StreamResult, LanguageModelV4StreamPart, LanguageModelV4Usage } from './sdk-types';
