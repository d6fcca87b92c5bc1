/** The policy package's test artifact writer, under the name this package's tests use. */
export { writeTestModelArtifact as writeTestModel } from '@orchestra/learning-policy/testing';
