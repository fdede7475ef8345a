;; The encoder's embedding bag as WebAssembly SIMD (f32x4): the sparse rows of x times the table
;; E [cols x H] (forward), and the sparse SGD update of E (backward). All pointers are byte
;; offsets into the exported memory; H must be a multiple of 4. Compiled by scripts/wasm.mjs
;; into bagWasm.ts; src/core/bagKernel.ts lays out the memory and calls it.
(module
  (memory (export "memory") 1)

  ;; out[b] = sum over p in row rows[b] of values[p] * E[indices[p]]   (b < n; rows of H floats)
  (func (export "forward")
    (param $rows i32) (param $n i32) (param $indptr i32) (param $indices i32) (param $values i32)
    (param $E i32) (param $H i32) (param $out i32)
    (local $b i32) (local $r i32) (local $p i32) (local $pe i32) (local $o i32) (local $e i32)
    (local $k i32) (local $hb i32) (local $v v128)
    (local.set $hb (i32.shl (local.get $H) (i32.const 2)))
    (block $endb (loop $lb
      (br_if $endb (i32.ge_u (local.get $b) (local.get $n)))
      (local.set $r (i32.load (i32.add (local.get $rows) (i32.shl (local.get $b) (i32.const 2)))))
      (local.set $o (i32.add (local.get $out) (i32.mul (local.get $b) (local.get $hb))))
      (local.set $k (i32.const 0))
      (block $endz (loop $lz
        (br_if $endz (i32.ge_u (local.get $k) (local.get $hb)))
        (v128.store (i32.add (local.get $o) (local.get $k)) (v128.const i32x4 0 0 0 0))
        (local.set $k (i32.add (local.get $k) (i32.const 16)))
        (br $lz)))
      (local.set $p (i32.load (i32.add (local.get $indptr) (i32.shl (local.get $r) (i32.const 2)))))
      (local.set $pe (i32.load (i32.add (local.get $indptr) (i32.shl (i32.add (local.get $r) (i32.const 1)) (i32.const 2)))))
      (block $endp (loop $lp
        (br_if $endp (i32.ge_u (local.get $p) (local.get $pe)))
        (local.set $v (f32x4.splat (f32.load (i32.add (local.get $values) (i32.shl (local.get $p) (i32.const 2))))))
        (local.set $e (i32.add (local.get $E)
          (i32.mul (i32.load (i32.add (local.get $indices) (i32.shl (local.get $p) (i32.const 2)))) (local.get $hb))))
        (local.set $k (i32.const 0))
        (block $endk (loop $lk
          (br_if $endk (i32.ge_u (local.get $k) (local.get $hb)))
          (v128.store (i32.add (local.get $o) (local.get $k))
            (f32x4.add (v128.load (i32.add (local.get $o) (local.get $k)))
              (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $e) (local.get $k))))))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br $lk)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $lp)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $lb))))

  ;; E[indices[p]] -= rate * values[p] * dh[b]   for every p in row rows[b], b < n
  (func (export "backward")
    (param $rows i32) (param $n i32) (param $indptr i32) (param $indices i32) (param $values i32)
    (param $E i32) (param $H i32) (param $dh i32) (param $rate f32)
    (local $b i32) (local $r i32) (local $p i32) (local $pe i32) (local $d i32) (local $e i32)
    (local $k i32) (local $hb i32) (local $s v128)
    (local.set $hb (i32.shl (local.get $H) (i32.const 2)))
    (block $endb (loop $lb
      (br_if $endb (i32.ge_u (local.get $b) (local.get $n)))
      (local.set $r (i32.load (i32.add (local.get $rows) (i32.shl (local.get $b) (i32.const 2)))))
      (local.set $d (i32.add (local.get $dh) (i32.mul (local.get $b) (local.get $hb))))
      (local.set $p (i32.load (i32.add (local.get $indptr) (i32.shl (local.get $r) (i32.const 2)))))
      (local.set $pe (i32.load (i32.add (local.get $indptr) (i32.shl (i32.add (local.get $r) (i32.const 1)) (i32.const 2)))))
      (block $endp (loop $lp
        (br_if $endp (i32.ge_u (local.get $p) (local.get $pe)))
        (local.set $s (f32x4.splat (f32.mul (local.get $rate)
          (f32.load (i32.add (local.get $values) (i32.shl (local.get $p) (i32.const 2)))))))
        (local.set $e (i32.add (local.get $E)
          (i32.mul (i32.load (i32.add (local.get $indices) (i32.shl (local.get $p) (i32.const 2)))) (local.get $hb))))
        (local.set $k (i32.const 0))
        (block $endk (loop $lk
          (br_if $endk (i32.ge_u (local.get $k) (local.get $hb)))
          (v128.store (i32.add (local.get $e) (local.get $k))
            (f32x4.sub (v128.load (i32.add (local.get $e) (local.get $k)))
              (f32x4.mul (local.get $s) (v128.load (i32.add (local.get $d) (local.get $k))))))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br $lk)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $lp)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $lb))))
)
