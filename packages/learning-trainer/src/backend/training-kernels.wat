;; Training kernels of the trainer's networks, with WebAssembly SIMD (f32x4): dense forward pass, the two gradients
;; of a dense layer, one Adam step and a sum of squares, over one linear memory (the `DenseKernels` heap).
;;
;; Every pointer is a byte address into the exported memory; matrices are row-major float32: an activation batch is
;; [batch][size], a weight matrix [inputSize][outputSize]. Rows are processed four columns at a time (f32x4), then a
;; scalar tail for widths that are not a multiple of 4 (rows of odd widths are not 16-byte aligned: align=4).
;; WebAssembly has no macros: the row update `target += value · source` is written out in the two functions that
;; need it, because a call in the innermost loop measured ~30 % slower. Assembled by scripts/build-wasm.mts
;; (pnpm build:wasm) into training-kernels-bytes.ts.
(module
  (memory (export "memory") 1)

  ;; output = input · weights + bias for `batch` rows, then max(·, 0) when relu != 0. Zero inputs are skipped: ReLU
  ;; activations are about half zeros, so this halves the work of the hidden layers.
  (func (export "denseForward")
    (param $input i32) (param $weights i32) (param $bias i32) (param $output i32)
    (param $batch i32) (param $inputSize i32) (param $outputSize i32) (param $relu i32)
    (local $rowBytes i32) (local $vectorBytes i32) (local $outputRow i32) (local $outputEnd i32)
    (local $inputPointer i32) (local $inputEnd i32) (local $weightRow i32) (local $column i32)
    (local $value f32) (local $splat v128) (local $zero v128)
    (local.set $rowBytes (i32.shl (local.get $outputSize) (i32.const 2)))
    (local.set $vectorBytes (i32.shl (i32.and (local.get $outputSize) (i32.const -4)) (i32.const 2)))
    (local.set $outputRow (local.get $output))
    (local.set $outputEnd (i32.add (local.get $output) (i32.mul (local.get $batch) (local.get $rowBytes))))
    (local.set $inputPointer (local.get $input))
    (local.set $zero (f32x4.splat (f32.const 0)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.eqz (i32.lt_u (local.get $outputRow) (local.get $outputEnd))))
        ;; output row = bias
        (local.set $column (i32.const 0))
        (block $done
          (loop $again
            (br_if $done (i32.eqz (i32.lt_u (local.get $column) (local.get $vectorBytes))))
            (v128.store align=4 (i32.add (local.get $outputRow) (local.get $column))
              (v128.load align=4 (i32.add (local.get $bias) (local.get $column))))
            (local.set $column (i32.add (local.get $column) (i32.const 16)))
            (br $again)))
        (block $done
          (loop $again
            (br_if $done (i32.eqz (i32.lt_u (local.get $column) (local.get $rowBytes))))
            (f32.store (i32.add (local.get $outputRow) (local.get $column))
              (f32.load (i32.add (local.get $bias) (local.get $column))))
            (local.set $column (i32.add (local.get $column) (i32.const 4)))
            (br $again)))
        ;; output row += input[row][k] · weights[k]
        (local.set $weightRow (local.get $weights))
        (local.set $inputEnd (i32.add (local.get $inputPointer) (i32.shl (local.get $inputSize) (i32.const 2))))
        (block $inputsDone
          (loop $inputs
            (br_if $inputsDone (i32.eqz (i32.lt_u (local.get $inputPointer) (local.get $inputEnd))))
            (local.set $value (f32.load (local.get $inputPointer)))
            (if (f32.ne (local.get $value) (f32.const 0))
              (then
                (local.set $splat (f32x4.splat (local.get $value)))
                
                ;; output row += value · weight row
                (local.set $column (i32.const 0))
                (block $done
                  (loop $again
                    (br_if $done (i32.eqz (i32.lt_u (local.get $column) (local.get $vectorBytes))))
                    (v128.store align=4 (i32.add (local.get $outputRow) (local.get $column))
                      (f32x4.add (v128.load align=4 (i32.add (local.get $outputRow) (local.get $column)))
                                 (f32x4.mul (v128.load align=4 (i32.add (local.get $weightRow) (local.get $column))) (local.get $splat))))
                    (local.set $column (i32.add (local.get $column) (i32.const 16)))
                    (br $again)))
                (block $done
                  (loop $again
                    (br_if $done (i32.eqz (i32.lt_u (local.get $column) (local.get $rowBytes))))
                    (f32.store (i32.add (local.get $outputRow) (local.get $column))
                      (f32.add (f32.load (i32.add (local.get $outputRow) (local.get $column)))
                               (f32.mul (f32.load (i32.add (local.get $weightRow) (local.get $column))) (local.get $value))))
                    (local.set $column (i32.add (local.get $column) (i32.const 4)))
                    (br $again)))))
            (local.set $weightRow (i32.add (local.get $weightRow) (local.get $rowBytes)))
            (local.set $inputPointer (i32.add (local.get $inputPointer) (i32.const 4)))
            (br $inputs)))
        (if (local.get $relu)
          (then
            (local.set $column (i32.const 0))
            (block $done
              (loop $again
                (br_if $done (i32.eqz (i32.lt_u (local.get $column) (local.get $vectorBytes))))
                (v128.store align=4 (i32.add (local.get $outputRow) (local.get $column))
                  (f32x4.max (v128.load align=4 (i32.add (local.get $outputRow) (local.get $column))) (local.get $zero)))
                (local.set $column (i32.add (local.get $column) (i32.const 16)))
                (br $again)))
            (block $done
              (loop $again
                (br_if $done (i32.eqz (i32.lt_u (local.get $column) (local.get $rowBytes))))
                (f32.store (i32.add (local.get $outputRow) (local.get $column))
                  (f32.max (f32.load (i32.add (local.get $outputRow) (local.get $column))) (f32.const 0)))
                (local.set $column (i32.add (local.get $column) (i32.const 4)))
                (br $again)))))
        (local.set $outputRow (i32.add (local.get $outputRow) (local.get $rowBytes)))
        (br $rows))))

  ;; weightGradient += inputᵀ · outputGradient (the caller zeroes weightGradient first).
  (func (export "denseWeightGradient")
    (param $input i32) (param $outputGradient i32) (param $weightGradient i32)
    (param $batch i32) (param $inputSize i32) (param $outputSize i32)
    (local $rowBytes i32) (local $vectorBytes i32) (local $gradientRow i32) (local $gradientEnd i32)
    (local $inputPointer i32) (local $inputEnd i32) (local $targetRow i32) (local $column i32)
    (local $value f32) (local $splat v128)
    (local.set $rowBytes (i32.shl (local.get $outputSize) (i32.const 2)))
    (local.set $vectorBytes (i32.shl (i32.and (local.get $outputSize) (i32.const -4)) (i32.const 2)))
    (local.set $gradientRow (local.get $outputGradient))
    (local.set $gradientEnd (i32.add (local.get $outputGradient) (i32.mul (local.get $batch) (local.get $rowBytes))))
    (local.set $inputPointer (local.get $input))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.eqz (i32.lt_u (local.get $gradientRow) (local.get $gradientEnd))))
        (local.set $targetRow (local.get $weightGradient))
        (local.set $inputEnd (i32.add (local.get $inputPointer) (i32.shl (local.get $inputSize) (i32.const 2))))
        (block $inputsDone
          (loop $inputs
            (br_if $inputsDone (i32.eqz (i32.lt_u (local.get $inputPointer) (local.get $inputEnd))))
            (local.set $value (f32.load (local.get $inputPointer)))
            (if (f32.ne (local.get $value) (f32.const 0))
              (then
                (local.set $splat (f32x4.splat (local.get $value)))
                
                ;; weight-gradient row += value · output-gradient row
                (local.set $column (i32.const 0))
                (block $done
                  (loop $again
                    (br_if $done (i32.eqz (i32.lt_u (local.get $column) (local.get $vectorBytes))))
                    (v128.store align=4 (i32.add (local.get $targetRow) (local.get $column))
                      (f32x4.add (v128.load align=4 (i32.add (local.get $targetRow) (local.get $column)))
                                 (f32x4.mul (v128.load align=4 (i32.add (local.get $gradientRow) (local.get $column))) (local.get $splat))))
                    (local.set $column (i32.add (local.get $column) (i32.const 16)))
                    (br $again)))
                (block $done
                  (loop $again
                    (br_if $done (i32.eqz (i32.lt_u (local.get $column) (local.get $rowBytes))))
                    (f32.store (i32.add (local.get $targetRow) (local.get $column))
                      (f32.add (f32.load (i32.add (local.get $targetRow) (local.get $column)))
                               (f32.mul (f32.load (i32.add (local.get $gradientRow) (local.get $column))) (local.get $value))))
                    (local.set $column (i32.add (local.get $column) (i32.const 4)))
                    (br $again)))))
            (local.set $targetRow (i32.add (local.get $targetRow) (local.get $rowBytes)))
            (local.set $inputPointer (i32.add (local.get $inputPointer) (i32.const 4)))
            (br $inputs)))
        (local.set $gradientRow (i32.add (local.get $gradientRow) (local.get $rowBytes)))
        (br $rows))))

  ;; inputGradient = outputGradient · weightsᵀ; with reluMask != 0, entries whose input activation is not positive
  ;; are 0 (the ReLU derivative of the layer below).
  (func (export "denseInputGradient")
    (param $outputGradient i32) (param $weights i32) (param $input i32) (param $inputGradient i32)
    (param $batch i32) (param $inputSize i32) (param $outputSize i32) (param $reluMask i32)
    (local $rowBytes i32) (local $vectorBytes i32) (local $gradientRow i32) (local $gradientEnd i32)
    (local $inputPointer i32) (local $inputEnd i32) (local $targetPointer i32) (local $weightRow i32) (local $column i32)
    (local $sum f32) (local $accumulator v128)
    (local.set $rowBytes (i32.shl (local.get $outputSize) (i32.const 2)))
    (local.set $vectorBytes (i32.shl (i32.and (local.get $outputSize) (i32.const -4)) (i32.const 2)))
    (local.set $gradientRow (local.get $outputGradient))
    (local.set $gradientEnd (i32.add (local.get $outputGradient) (i32.mul (local.get $batch) (local.get $rowBytes))))
    (local.set $inputPointer (local.get $input))
    (local.set $targetPointer (local.get $inputGradient))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.eqz (i32.lt_u (local.get $gradientRow) (local.get $gradientEnd))))
        (local.set $weightRow (local.get $weights))
        (local.set $inputEnd (i32.add (local.get $inputPointer) (i32.shl (local.get $inputSize) (i32.const 2))))
        (block $inputsDone
          (loop $inputs
            (br_if $inputsDone (i32.eqz (i32.lt_u (local.get $inputPointer) (local.get $inputEnd))))
            (if (i32.and (local.get $reluMask) (i32.eqz (f32.gt (f32.load (local.get $inputPointer)) (f32.const 0))))
              (then (f32.store (local.get $targetPointer) (f32.const 0)))
              (else
                (local.set $accumulator (f32x4.splat (f32.const 0)))
                (local.set $column (i32.const 0))
                (block $done
                  (loop $again
                    (br_if $done (i32.eqz (i32.lt_u (local.get $column) (local.get $vectorBytes))))
                    (local.set $accumulator
                      (f32x4.add (local.get $accumulator)
                        (f32x4.mul (v128.load align=4 (i32.add (local.get $gradientRow) (local.get $column)))
                                   (v128.load align=4 (i32.add (local.get $weightRow) (local.get $column))))))
                    (local.set $column (i32.add (local.get $column) (i32.const 16)))
                    (br $again)))
                (local.set $sum (f32.add (f32.add (f32.add (f32x4.extract_lane 0 (local.get $accumulator)) (f32x4.extract_lane 1 (local.get $accumulator))) (f32x4.extract_lane 2 (local.get $accumulator))) (f32x4.extract_lane 3 (local.get $accumulator))))
                (block $done
                  (loop $again
                    (br_if $done (i32.eqz (i32.lt_u (local.get $column) (local.get $rowBytes))))
                    (local.set $sum
                      (f32.add (local.get $sum)
                        (f32.mul (f32.load (i32.add (local.get $gradientRow) (local.get $column)))
                                 (f32.load (i32.add (local.get $weightRow) (local.get $column))))))
                    (local.set $column (i32.add (local.get $column) (i32.const 4)))
                    (br $again)))
                (f32.store (local.get $targetPointer) (local.get $sum))))
            (local.set $weightRow (i32.add (local.get $weightRow) (local.get $rowBytes)))
            (local.set $inputPointer (i32.add (local.get $inputPointer) (i32.const 4)))
            (local.set $targetPointer (i32.add (local.get $targetPointer) (i32.const 4)))
            (br $inputs)))
        (local.set $gradientRow (i32.add (local.get $gradientRow) (local.get $rowBytes)))
        (br $rows))))

  ;; One Adam step over `count` parameters (a multiple of 4): g = gradient · gradientScale, m ← β1·m + (1 − β1)·g,
  ;; v ← β2·v + (1 − β2)·g², θ ← θ − rate·m / (√v + ε); rate and epsilon arrive bias-corrected.
  (func (export "adamStep")
    (param $parameters i32) (param $gradients i32) (param $first i32) (param $second i32) (param $count i32)
    (param $gradientScale f32) (param $rate f32) (param $beta1 f32) (param $beta2 f32) (param $epsilon f32)
    (local $offset i32) (local $end i32) (local $gradient v128) (local $firstMoment v128) (local $secondMoment v128)
    (local $scaleVector v128) (local $rateVector v128) (local $beta1Vector v128) (local $beta2Vector v128)
    (local $epsilonVector v128) (local $oneMinusBeta1 v128) (local $oneMinusBeta2 v128)
    (local.set $scaleVector (f32x4.splat (local.get $gradientScale)))
    (local.set $rateVector (f32x4.splat (local.get $rate)))
    (local.set $beta1Vector (f32x4.splat (local.get $beta1)))
    (local.set $beta2Vector (f32x4.splat (local.get $beta2)))
    (local.set $epsilonVector (f32x4.splat (local.get $epsilon)))
    (local.set $oneMinusBeta1 (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $beta1Vector)))
    (local.set $oneMinusBeta2 (f32x4.sub (f32x4.splat (f32.const 1)) (local.get $beta2Vector)))
    (local.set $end (i32.shl (local.get $count) (i32.const 2)))
    (local.set $offset (i32.const 0))
    (block $done
      (loop $again
        (br_if $done (i32.eqz (i32.lt_u (local.get $offset) (local.get $end))))
        (local.set $gradient (f32x4.mul (v128.load align=4 (i32.add (local.get $gradients) (local.get $offset))) (local.get $scaleVector)))
        ;; m = β1·m + (1 − β1)·g
        (local.set $firstMoment
          (f32x4.add (f32x4.mul (local.get $beta1Vector) (v128.load align=4 (i32.add (local.get $first) (local.get $offset))))
                     (f32x4.mul (local.get $oneMinusBeta1) (local.get $gradient))))
        (v128.store align=4 (i32.add (local.get $first) (local.get $offset)) (local.get $firstMoment))
        ;; v = β2·v + (1 − β2)·g²
        (local.set $secondMoment
          (f32x4.add (f32x4.mul (local.get $beta2Vector) (v128.load align=4 (i32.add (local.get $second) (local.get $offset))))
                     (f32x4.mul (f32x4.mul (local.get $oneMinusBeta2) (local.get $gradient)) (local.get $gradient))))
        (v128.store align=4 (i32.add (local.get $second) (local.get $offset)) (local.get $secondMoment))
        ;; θ −= rate·m / (√v + ε)
        (v128.store align=4 (i32.add (local.get $parameters) (local.get $offset))
          (f32x4.sub (v128.load align=4 (i32.add (local.get $parameters) (local.get $offset)))
                     (f32x4.div (f32x4.mul (local.get $rateVector) (local.get $firstMoment))
                                (f32x4.add (f32x4.sqrt (local.get $secondMoment)) (local.get $epsilonVector)))))
        (local.set $offset (i32.add (local.get $offset) (i32.const 16)))
        (br $again))))

  ;; Writes Σ memory[start … start + count)² (count a multiple of 4) as one float at `output`.
  (func (export "sumOfSquares") (param $start i32) (param $count i32) (param $output i32)
    (local $pointer i32) (local $end i32) (local $accumulator v128) (local $value v128)
    (local.set $pointer (local.get $start))
    (local.set $end (i32.add (local.get $start) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $accumulator (f32x4.splat (f32.const 0)))
    (block $done
      (loop $again
        (br_if $done (i32.eqz (i32.lt_u (local.get $pointer) (local.get $end))))
        (local.set $value (v128.load align=4 (local.get $pointer)))
        (local.set $accumulator (f32x4.add (local.get $accumulator) (f32x4.mul (local.get $value) (local.get $value))))
        (local.set $pointer (i32.add (local.get $pointer) (i32.const 16)))
        (br $again)))
    (f32.store (local.get $output) (f32.add (f32.add (f32.add (f32x4.extract_lane 0 (local.get $accumulator)) (f32x4.extract_lane 1 (local.get $accumulator))) (f32x4.extract_lane 2 (local.get $accumulator))) (f32x4.extract_lane 3 (local.get $accumulator))))))
