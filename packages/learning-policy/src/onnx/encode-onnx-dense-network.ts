/*
 * A minimal ONNX writer: a dense network (MatMul → Add → Relu per layer, opset 13, dynamic batch) as an ONNX
 * ModelProto in hand-written protobuf, so onnxruntime-node can run the very same weights without any ONNX tooling.
 * Field numbers follow onnx/onnx.proto3 (ModelProto.ir_version = 1, graph = 7, opset_import = 8, …).
 */
import type { DenseNetwork } from '../artifact/model-artifact';

class ProtobufWriter {
  readonly #chunks: number[] = [];

  #varint(value: number): void {
    let remaining = value;
    while (remaining >= 0x80) {
      this.#chunks.push((remaining % 0x80) | 0x80);
      remaining = Math.floor(remaining / 0x80);
    }
    this.#chunks.push(remaining);
  }

  #key(field: number, wireType: number): void {
    this.#varint(field * 8 + wireType);
  }

  integer(field: number, value: number): this {
    this.#key(field, 0);
    this.#varint(value);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.#key(field, 2);
    this.#varint(value.length);
    for (const byte of value) this.#chunks.push(byte);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (writer: ProtobufWriter) => void): this {
    const inner = new ProtobufWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.#chunks);
  }
}

const FLOAT = 1;

function tensor(writer: ProtobufWriter, name: string, dims: number[], values: Float32Array): void {
  for (const dim of dims) writer.integer(1, dim);
  writer.integer(2, FLOAT);
  writer.string(8, name);
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, index) => view.setFloat32(index * 4, value, true));
  writer.bytes(9, bytes);
}

function valueInfo(writer: ProtobufWriter, name: string, width: number): void {
  writer.string(1, name);
  writer.message(2, (type) =>
    type.message(1, (tensorType) => {
      tensorType.integer(1, FLOAT);
      tensorType.message(2, (shape) => {
        shape.message(1, (dimension) => dimension.string(2, 'batch'));
        shape.message(1, (dimension) => dimension.integer(1, width));
      });
    }),
  );
}

/**
 * ONNX bytes of `network`: input `features` [batch, inputSize] float32, output `logits` [batch, outputSize] (the
 * names `OnnxActorRuntime` expects). Kernels keep the row-major [input][output] layout of the artifact.
 */
export function encodeOnnxDenseNetwork(network: DenseNetwork): Uint8Array {
  const model = new ProtobufWriter();
  model.integer(1, 8); // ir_version
  model.string(2, '@orchestra/learning-policy');
  model.message(7, (graph) => {
    let previous = 'features';
    network.layers.forEach((layer, index) => {
      const last = index === network.layers.length - 1;
      const product = `matmul_${index}`;
      const sum = last && layer.activation === 'linear' ? 'logits' : `add_${index}`;
      graph.message(1, (node) => node.string(1, previous).string(1, `kernel_${index}`).string(2, product).string(3, `MatMul_${index}`).string(4, 'MatMul'));
      graph.message(1, (node) => node.string(1, product).string(1, `bias_${index}`).string(2, sum).string(3, `Add_${index}`).string(4, 'Add'));
      previous = sum;
      if (layer.activation === 'relu') {
        const output = last ? 'logits' : `relu_${index}`;
        graph.message(1, (node) => node.string(1, sum).string(2, output).string(3, `Relu_${index}`).string(4, 'Relu'));
        previous = output;
      }
    });
    graph.string(2, 'dense_network');
    network.layers.forEach((layer, index) => {
      graph.message(5, (writer) => tensor(writer, `kernel_${index}`, [layer.inputSize, layer.outputSize], layer.kernel));
      graph.message(5, (writer) => tensor(writer, `bias_${index}`, [layer.outputSize], layer.bias));
    });
    graph.message(11, (writer) => valueInfo(writer, 'features', network.inputSize));
    graph.message(12, (writer) => valueInfo(writer, 'logits', network.outputSize));
  });
  model.message(8, (opset) => opset.string(1, '').integer(2, 13));
  return model.finish();
}
