export { ReplayFormatError } from './replay-format-error';
export { ReplayOptionError } from './replay-option-error';
