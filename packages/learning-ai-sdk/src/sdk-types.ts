import type { LanguageModelMiddleware } from 'ai';

// The AI SDK's current language-model specification (v4), reached through the types `ai` exports itself, so that
// this package needs nothing beyond its `ai` peer dependency.
type WrapGenerateOptions = Parameters<NonNullable<LanguageModelMiddleware['wrapGenerate']>>[0];

/** A language model of the AI SDK's current specification (`specificationVersion: 'v4'`), e.g. `openai('gpt-4o-mini')`. */
export type LanguageModelV4 = WrapGenerateOptions['model'];
/** The options the SDK passes to `doGenerate` / `doStream`. */
export type LanguageModelV4CallOptions = WrapGenerateOptions['params'];
export type LanguageModelV4GenerateResult = Awaited<ReturnType<LanguageModelV4['doGenerate']>>;
export type LanguageModelV4StreamResult = Awaited<ReturnType<LanguageModelV4['doStream']>>;
export type LanguageModelV4StreamPart = LanguageModelV4StreamResult['stream'] extends ReadableStream<infer Part> ? Part : never;
export type LanguageModelV4Usage = LanguageModelV4GenerateResult['usage'];
