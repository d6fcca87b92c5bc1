/**
 * A minimal WebAssembly binary writer: just enough structured control flow, i32/f32 arithmetic and SIMD (f32x4)
 * to express the dense kernels. Writing the bytes here keeps the package free of a toolchain and of a checked-in
 * binary; `WebAssembly.validate` checks the result at load time.
 */

/** Value types of the WebAssembly binary format. */
export const valueType = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;
export type ValueType = (typeof valueType)[keyof typeof valueType];

function unsignedLeb(value: number): number[] {
  const bytes: number[] = [];
  let remaining = value >>> 0;
  do {
    let byte = remaining & 0x7f;
    remaining >>>= 7;
    if (remaining !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (remaining !== 0);
  return bytes;
}

function signedLeb(value: number): number[] {
  const bytes: number[] = [];
  let remaining = value | 0;
  for (;;) {
    const byte = remaining & 0x7f;
    remaining >>= 7;
    const done = (remaining === 0 && (byte & 0x40) === 0) || (remaining === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

function encodeName(name: string): number[] {
  const bytes = [...new TextEncoder().encode(name)];
  return [...unsignedLeb(bytes.length), ...bytes];
}

function vector(items: number[][]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

/** Emits the body of one function. Locals are numbered after the parameters, in the order they are declared. */
export class FunctionBuilder {
  readonly bytes: number[] = [];
  private readonly localTypes: ValueType[] = [];

  constructor(
    readonly name: string,
    readonly parameters: ValueType[],
  ) {}

  /** Declares a local and returns its index. */
  local(type: ValueType): number {
    this.localTypes.push(type);
    return this.parameters.length + this.localTypes.length - 1;
  }

  get(index: number): this {
    this.bytes.push(0x20, ...unsignedLeb(index));
    return this;
  }
  set(index: number): this {
    this.bytes.push(0x21, ...unsignedLeb(index));
    return this;
  }
  i32(value: number): this {
    this.bytes.push(0x41, ...signedLeb(value));
    return this;
  }
  f32(value: number): this {
    const buffer = new DataView(new ArrayBuffer(4));
    buffer.setFloat32(0, value, true);
    this.bytes.push(0x43, buffer.getUint8(0), buffer.getUint8(1), buffer.getUint8(2), buffer.getUint8(3));
    return this;
  }
  /** Appends raw opcodes (see `opcode`). */
  op(...codes: number[]): this {
    this.bytes.push(...codes);
    return this;
  }
  /** f32.load / f32.store with 4-byte alignment and no offset. */
  loadF32(): this {
    return this.op(0x2a, 2, 0);
  }
  storeF32(): this {
    return this.op(0x38, 2, 0);
  }
  /** v128.load / v128.store (alignment hint 4 bytes: rows of odd widths are not 16-byte aligned). */
  loadV128(): this {
    return this.op(0xfd, 0x00, 2, 0);
  }
  storeV128(): this {
    return this.op(0xfd, 0x0b, 2, 0);
  }
  simd(code: number, ...immediates: number[]): this {
    return this.op(0xfd, ...unsignedLeb(code), ...immediates);
  }
  /** `local += step` for an i32 local. */
  increment(index: number, step: number): this {
    return this.get(index).i32(step).op(opcode.i32Add).set(index);
  }
  /** `while (condition) body`; the condition leaves an i32 on the stack. */
  whileLoop(condition: () => void, body: () => void): this {
    this.op(0x02, 0x40, 0x03, 0x40);
    condition();
    this.op(opcode.i32Eqz, 0x0d, 1);
    body();
    this.op(0x0c, 0, 0x0b, 0x0b);
    return this;
  }
  /** `if (condition) then else otherwise`; the condition leaves an i32 on the stack. */
  ifElse(condition: () => void, then: () => void, otherwise?: () => void): this {
    condition();
    this.op(0x04, 0x40);
    then();
    if (otherwise) {
      this.op(0x05);
      otherwise();
    }
    this.op(0x0b);
    return this;
  }

  /** The code-section entry: locals declaration, body, end. */
  encode(): number[] {
    const locals = this.localTypes.map((type) => [1, type]);
    const body = [...vector(locals), ...this.bytes, 0x0b];
    return [...unsignedLeb(body.length), ...body];
  }
}

/** Opcodes used by the kernels. */
export const opcode = {
  i32Eqz: 0x45,
  i32LtU: 0x49,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Shl: 0x74,
  f32Ne: 0x5c,
  f32Gt: 0x5e,
  f32Add: 0x92,
  f32Mul: 0x94,
  f32Max: 0x97,
  f32x4Splat: 0x13,
  f32x4ExtractLane: 0x1f,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Sqrt: 0xe3,
  f32x4Max: 0xe9,
} as const;

/** Assembles a module that exports its memory (as `memory`) and every function under its name. All functions return nothing. */
export function assembleModule(functions: FunctionBuilder[], initialPages: number): Uint8Array {
  const types = functions.map((fn) => [0x60, ...vector(fn.parameters.map((type) => [type])), 0]);
  const section = (id: number, content: number[]) => [id, ...unsignedLeb(content.length), ...content];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector(types)),
    ...section(3, vector(functions.map((_, index) => unsignedLeb(index)))),
    ...section(5, vector([[0x00, ...unsignedLeb(initialPages)]])),
    ...section(
      7,
      vector([
        [...encodeName('memory'), 0x02, 0],
        ...functions.map((fn, index) => [...encodeName(fn.name), 0x00, ...unsignedLeb(index)]),
      ]),
    ),
    ...section(10, vector(functions.map((fn) => fn.encode()))),
  ];
  return new Uint8Array(bytes);
}
