const textEncoder = new TextEncoder();

/** Protocol Buffers wire types used by the ONNX messages we write. */
const wireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

/**
 * A minimal Protocol Buffers encoder: enough of the wire format (varints, fixed32 floats, length-delimited strings,
 * bytes and nested messages, packed varints) to write ONNX models. Fields are appended in call order; nested
 * messages are encoded first and embedded as bytes.
 */
export class ProtobufWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.byteLength;
  }

  private pushVarint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`protobuf varint must be a non-negative safe integer, got ${value}`);
    const bytes: number[] = [];
    let remaining = value;
    // Arithmetic, not bit operators: values may exceed 32 bits (int64 fields).
    while (remaining >= 0x80) {
      bytes.push((remaining % 0x80) | 0x80);
      remaining = Math.floor(remaining / 0x80);
    }
    bytes.push(remaining);
    this.push(Uint8Array.from(bytes));
  }

  private pushTag(field: number, type: number): void {
    this.pushVarint(field * 8 + type);
  }

  /** A varint field (int32, int64, uint64, enum, bool) with a non-negative value. */
  varint(field: number, value: number): this {
    this.pushTag(field, wireType.varint);
    this.pushVarint(value);
    return this;
  }

  /** A `float` field (fixed32, little-endian). */
  float(field: number, value: number): this {
    this.pushTag(field, wireType.fixed32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  /** A `bytes` field. */
  bytes(field: number, value: Uint8Array): this {
    this.pushTag(field, wireType.lengthDelimited);
    this.pushVarint(value.byteLength);
    this.push(value);
    return this;
  }

  /** A `string` field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** An embedded message field. */
  message(field: number, message: ProtobufWriter): this {
    return this.bytes(field, message.finish());
  }

  /** A packed repeated varint field (e.g. `repeated int64 dims`). */
  packedVarints(field: number, values: readonly number[]): this {
    const inner = new ProtobufWriter();
    for (const value of values) inner.pushVarint(value);
    return this.bytes(field, inner.finish());
  }

  /** The encoded message. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  }
}
