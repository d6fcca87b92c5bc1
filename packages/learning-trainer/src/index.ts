export {};
export * from './ope';
