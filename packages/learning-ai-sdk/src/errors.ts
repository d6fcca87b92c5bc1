import { OrchestraError } from '@orchestra/learning-types';

/** `createAiSdkLearning` was given an unusable option (named in `option`); thrown at creation, never during a call. */
export class AiSdkLearningConfigError extends OrchestraError {
  readonly option: string;

  constructor({ option, message }: { option: string; message: string }) {
    super({ name: 'AiSdkLearningConfigError', code: 'ORCHESTRA_AI_SDK_CONFIG', message: `${option}: ${message}` });
    this.option = option;
  }
}

/** A model call exceeded the decided timeout (base timeout × the decision's `timeoutMultiplier`); recorded as `TIMEOUT`. */
export class ModelCallTimeoutError extends OrchestraError {
  readonly modelId: string;
  readonly timeoutMs: number;

  constructor({ modelId, timeoutMs }: { modelId: string; timeoutMs: number }) {
    super({ name: 'TimeoutError', code: 'ORCHESTRA_AI_SDK_TIMEOUT', message: `model ${modelId} did not answer within ${timeoutMs} ms` });
    this.modelId = modelId;
    this.timeoutMs = timeoutMs;
  }
}

/** `amend` was called with a session id that no deferred session is waiting under (unknown, already amended or timed out). */
export class UnknownSessionError extends OrchestraError {
  readonly sessionId: string;

  constructor({ sessionId, waiting }: { sessionId: string; waiting: number }) {
    super({ name: 'UnknownSessionError', code: 'ORCHESTRA_AI_SDK_UNKNOWN_SESSION', message: `no deferred session "${sessionId}" is waiting for an outcome (${waiting} waiting; was it created with deferOutcome, and not amended or timed out yet?)` });
    this.sessionId = sessionId;
  }
}
