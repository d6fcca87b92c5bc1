;; Dense-layer kernel for the learned-policy runtime: y = activation(x · W + b) for one row, with WebAssembly SIMD.
;;
;; Layout (all float32, little-endian, byte addresses into the exported memory):
;;   x: inputSize floats
;;   W: row-major [inputSize][outputStride], outputStride a multiple of 16 (zero-padded columns)
;;   b: outputStride floats (zero-padded)
;;   y: outputStride floats
;; The outputs are computed 16 at a time (four f32x4 accumulators held in locals) so that each weight is loaded
;; once and the four accumulations are independent: the loop is bound by loads and multiply-adds, not latency.
;; Accumulation runs over the inputs in order, in float32, like tfjs' CPU matMul.
(module
  (memory (export "memory") 1)

  ;; One row. relu != 0 applies max(y, 0) (NaN stays NaN, so the caller's NaN check still sees it).
  (func $dense (export "dense")
    (param $x i32) (param $w i32) (param $b i32) (param $y i32)
    (param $inputSize i32) (param $outputStride i32) (param $relu i32)
    (local $column i32) (local $weight i32) (local $input i32) (local $inputEnd i32) (local $stride i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $splat v128)
    (local.set $stride (i32.shl (local.get $outputStride) (i32.const 2)))
    (local.set $inputEnd (i32.add (local.get $x) (i32.shl (local.get $inputSize) (i32.const 2))))
    (local.set $column (i32.const 0))
    (block $columnsDone
      (loop $columns
        (br_if $columnsDone (i32.ge_u (local.get $column) (local.get $outputStride)))
        (local.set $a0 (v128.load offset=0 (i32.add (local.get $b) (i32.shl (local.get $column) (i32.const 2)))))
        (local.set $a1 (v128.load offset=16 (i32.add (local.get $b) (i32.shl (local.get $column) (i32.const 2)))))
        (local.set $a2 (v128.load offset=32 (i32.add (local.get $b) (i32.shl (local.get $column) (i32.const 2)))))
        (local.set $a3 (v128.load offset=48 (i32.add (local.get $b) (i32.shl (local.get $column) (i32.const 2)))))
        (local.set $weight (i32.add (local.get $w) (i32.shl (local.get $column) (i32.const 2))))
        (local.set $input (local.get $x))
        (block $inputsDone
          (loop $inputs
            (br_if $inputsDone (i32.ge_u (local.get $input) (local.get $inputEnd)))
            (local.set $splat (v128.load32_splat (local.get $input)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $splat) (v128.load offset=0 (local.get $weight)))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $splat) (v128.load offset=16 (local.get $weight)))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $splat) (v128.load offset=32 (local.get $weight)))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $splat) (v128.load offset=48 (local.get $weight)))))
            (local.set $weight (i32.add (local.get $weight) (local.get $stride)))
            (local.set $input (i32.add (local.get $input) (i32.const 4)))
            (br $inputs)))
        (if (local.get $relu)
          (then
            (local.set $a0 (f32x4.max (local.get $a0) (v128.const f32x4 0 0 0 0)))
            (local.set $a1 (f32x4.max (local.get $a1) (v128.const f32x4 0 0 0 0)))
            (local.set $a2 (f32x4.max (local.get $a2) (v128.const f32x4 0 0 0 0)))
            (local.set $a3 (f32x4.max (local.get $a3) (v128.const f32x4 0 0 0 0)))))
        (v128.store offset=0 (i32.add (local.get $y) (i32.shl (local.get $column) (i32.const 2))) (local.get $a0))
        (v128.store offset=16 (i32.add (local.get $y) (i32.shl (local.get $column) (i32.const 2))) (local.get $a1))
        (v128.store offset=32 (i32.add (local.get $y) (i32.shl (local.get $column) (i32.const 2))) (local.get $a2))
        (v128.store offset=48 (i32.add (local.get $y) (i32.shl (local.get $column) (i32.const 2))) (local.get $a3))
        (local.set $column (i32.add (local.get $column) (i32.const 16)))
        (br $columns))))

  ;; Four rows at once, 8 columns at a time: eight f32x4 accumulators (4 rows × 2 vectors) share every weight load,
  ;; so a batch reads each weight a quarter as often as four single-row passes would.
  (func $denseFourRows
    (param $x i32) (param $w i32) (param $b i32) (param $y i32)
    (param $inputSize i32) (param $inputStride i32) (param $outputStride i32) (param $relu i32)
    (local $column i32) (local $weight i32) (local $input i32) (local $inputEnd i32) (local $stride i32)
    (local $rowBytes i32) (local $outRowBytes i32) (local $target i32)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128)
    (local $c0 v128) (local $c1 v128) (local $d0 v128) (local $d1 v128)
    (local $w0 v128) (local $w1 v128) (local $splat v128)
    (local.set $stride (i32.shl (local.get $outputStride) (i32.const 2)))
    (local.set $rowBytes (i32.shl (local.get $inputStride) (i32.const 2)))
    (local.set $outRowBytes (i32.shl (local.get $outputStride) (i32.const 2)))
    (local.set $inputEnd (i32.add (local.get $x) (i32.shl (local.get $inputSize) (i32.const 2))))
    (local.set $column (i32.const 0))
    (block $columnsDone
      (loop $columns
        (br_if $columnsDone (i32.ge_u (local.get $column) (local.get $outputStride)))
        (local.set $a0 (v128.load offset=0 (i32.add (local.get $b) (i32.shl (local.get $column) (i32.const 2)))))
        (local.set $a1 (v128.load offset=16 (i32.add (local.get $b) (i32.shl (local.get $column) (i32.const 2)))))
        (local.set $b0 (local.get $a0)) (local.set $b1 (local.get $a1))
        (local.set $c0 (local.get $a0)) (local.set $c1 (local.get $a1))
        (local.set $d0 (local.get $a0)) (local.set $d1 (local.get $a1))
        (local.set $weight (i32.add (local.get $w) (i32.shl (local.get $column) (i32.const 2))))
        (local.set $input (local.get $x))
        (block $inputsDone
          (loop $inputs
            (br_if $inputsDone (i32.ge_u (local.get $input) (local.get $inputEnd)))
            (local.set $w0 (v128.load offset=0 (local.get $weight)))
            (local.set $w1 (v128.load offset=16 (local.get $weight)))
            (local.set $splat (v128.load32_splat (local.get $input)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $splat) (local.get $w0))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $splat) (local.get $w1))))
            (local.set $splat (v128.load32_splat (i32.add (local.get $input) (local.get $rowBytes))))
            (local.set $b0 (f32x4.add (local.get $b0) (f32x4.mul (local.get $splat) (local.get $w0))))
            (local.set $b1 (f32x4.add (local.get $b1) (f32x4.mul (local.get $splat) (local.get $w1))))
            (local.set $splat (v128.load32_splat (i32.add (local.get $input) (i32.shl (local.get $rowBytes) (i32.const 1)))))
            (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $splat) (local.get $w0))))
            (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $splat) (local.get $w1))))
            (local.set $splat (v128.load32_splat (i32.add (local.get $input) (i32.mul (local.get $rowBytes) (i32.const 3)))))
            (local.set $d0 (f32x4.add (local.get $d0) (f32x4.mul (local.get $splat) (local.get $w0))))
            (local.set $d1 (f32x4.add (local.get $d1) (f32x4.mul (local.get $splat) (local.get $w1))))
            (local.set $weight (i32.add (local.get $weight) (local.get $stride)))
            (local.set $input (i32.add (local.get $input) (i32.const 4)))
            (br $inputs)))
        (if (local.get $relu)
          (then
            (local.set $a0 (f32x4.max (local.get $a0) (v128.const f32x4 0 0 0 0)))
            (local.set $a1 (f32x4.max (local.get $a1) (v128.const f32x4 0 0 0 0)))
            (local.set $b0 (f32x4.max (local.get $b0) (v128.const f32x4 0 0 0 0)))
            (local.set $b1 (f32x4.max (local.get $b1) (v128.const f32x4 0 0 0 0)))
            (local.set $c0 (f32x4.max (local.get $c0) (v128.const f32x4 0 0 0 0)))
            (local.set $c1 (f32x4.max (local.get $c1) (v128.const f32x4 0 0 0 0)))
            (local.set $d0 (f32x4.max (local.get $d0) (v128.const f32x4 0 0 0 0)))
            (local.set $d1 (f32x4.max (local.get $d1) (v128.const f32x4 0 0 0 0)))))
        (local.set $target (i32.add (local.get $y) (i32.shl (local.get $column) (i32.const 2))))
        (v128.store offset=0 (local.get $target) (local.get $a0))
        (v128.store offset=16 (local.get $target) (local.get $a1))
        (local.set $target (i32.add (local.get $target) (local.get $outRowBytes)))
        (v128.store offset=0 (local.get $target) (local.get $b0))
        (v128.store offset=16 (local.get $target) (local.get $b1))
        (local.set $target (i32.add (local.get $target) (local.get $outRowBytes)))
        (v128.store offset=0 (local.get $target) (local.get $c0))
        (v128.store offset=16 (local.get $target) (local.get $c1))
        (local.set $target (i32.add (local.get $target) (local.get $outRowBytes)))
        (v128.store offset=0 (local.get $target) (local.get $d0))
        (v128.store offset=16 (local.get $target) (local.get $d1))
        (local.set $column (i32.add (local.get $column) (i32.const 8)))
        (br $columns))))

  ;; Many rows: x rows of inputStride floats, y rows of outputStride floats; four at a time, then one at a time.
  (func (export "denseBatch")
    (param $x i32) (param $w i32) (param $b i32) (param $y i32)
    (param $inputSize i32) (param $inputStride i32) (param $outputStride i32) (param $relu i32) (param $rows i32)
    (block $fourDone
      (loop $fours
        (br_if $fourDone (i32.lt_u (local.get $rows) (i32.const 4)))
        (call $denseFourRows (local.get $x) (local.get $w) (local.get $b) (local.get $y)
          (local.get $inputSize) (local.get $inputStride) (local.get $outputStride) (local.get $relu))
        (local.set $x (i32.add (local.get $x) (i32.shl (local.get $inputStride) (i32.const 4))))
        (local.set $y (i32.add (local.get $y) (i32.shl (local.get $outputStride) (i32.const 4))))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 4)))
        (br $fours)))
    (block $done
      (loop $each
        (br_if $done (i32.eqz (local.get $rows)))
        (call $dense (local.get $x) (local.get $w) (local.get $b) (local.get $y)
          (local.get $inputSize) (local.get $outputStride) (local.get $relu))
        (local.set $x (i32.add (local.get $x) (i32.shl (local.get $inputStride) (i32.const 2))))
        (local.set $y (i32.add (local.get $y) (i32.shl (local.get $outputStride) (i32.const 2))))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br $each)))))
