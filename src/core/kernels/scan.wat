;; The neighbour scan of a block of similarities [rows x n] (queries x one chunk of references):
;; merges each row into its query's running top k (similarities descending, ties keep the earlier
;; reference) and its nearest reference with the query's label and with another label. Reference
;; positions are stored as base + j. All pointers are byte offsets into the exported memory.
;; Compiled by scripts/wasm.mjs into scanWasm.ts; src/core/neighbours.ts calls it.
(module
  (memory (export "memory") 1)

  (func (export "scan")
    (param $sim i32) (param $rows i32) (param $n i32) (param $base i32)
    (param $refLabel i32) (param $qLabel i32) (param $useLabels i32)
    (param $topSim i32) (param $topId i32) (param $k i32)
    (param $sameSim i32) (param $sameId i32) (param $otherSim i32) (param $otherId i32)
    (local $r i32) (local $j i32) (local $row i32) (local $ts i32) (local $ti i32)
    (local $s f32) (local $worst f32) (local $p i32) (local $label i32) (local $l i32)
    (local $same f32) (local $sameJ i32) (local $other f32) (local $otherJ i32) (local $q i32)
    (block $endr (loop $lr
      (br_if $endr (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $row (i32.add (local.get $sim) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2))))
      (local.set $ts (i32.add (local.get $topSim) (i32.shl (i32.mul (local.get $r) (local.get $k)) (i32.const 2))))
      (local.set $ti (i32.add (local.get $topId) (i32.shl (i32.mul (local.get $r) (local.get $k)) (i32.const 2))))
      (local.set $q (i32.shl (local.get $r) (i32.const 2)))
      (local.set $worst (f32.load (i32.add (local.get $ts) (i32.shl (i32.sub (local.get $k) (i32.const 1)) (i32.const 2)))))
      (local.set $label (i32.load (i32.add (local.get $qLabel) (local.get $q))))
      (local.set $same (f32.load (i32.add (local.get $sameSim) (local.get $q))))
      (local.set $other (f32.load (i32.add (local.get $otherSim) (local.get $q))))
      (local.set $sameJ (i32.const -1))
      (local.set $otherJ (i32.const -1))
      (local.set $j (i32.const 0))
      (block $endj (loop $lj
        (br_if $endj (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $s (f32.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))))
        (if (local.get $useLabels) (then
          (local.set $l (i32.load (i32.add (local.get $refLabel) (i32.shl (local.get $j) (i32.const 2)))))
          (if (i32.eq (local.get $l) (local.get $label))
            (then (if (f32.gt (local.get $s) (local.get $same)) (then (local.set $same (local.get $s)) (local.set $sameJ (local.get $j)))))
            (else (if (f32.gt (local.get $s) (local.get $other)) (then (local.set $other (local.get $s)) (local.set $otherJ (local.get $j))))))))
        (if (f32.gt (local.get $s) (local.get $worst)) (then
          ;; insertion: shift smaller entries down one place
          (local.set $p (i32.sub (local.get $k) (i32.const 1)))
          (block $endp (loop $lp
            (br_if $endp (i32.le_s (local.get $p) (i32.const 0)))
            (br_if $endp (i32.eqz (f32.lt (f32.load (i32.add (local.get $ts) (i32.shl (i32.sub (local.get $p) (i32.const 1)) (i32.const 2)))) (local.get $s))))
            (f32.store (i32.add (local.get $ts) (i32.shl (local.get $p) (i32.const 2)))
              (f32.load (i32.add (local.get $ts) (i32.shl (i32.sub (local.get $p) (i32.const 1)) (i32.const 2)))))
            (i32.store (i32.add (local.get $ti) (i32.shl (local.get $p) (i32.const 2)))
              (i32.load (i32.add (local.get $ti) (i32.shl (i32.sub (local.get $p) (i32.const 1)) (i32.const 2)))))
            (local.set $p (i32.sub (local.get $p) (i32.const 1)))
            (br $lp)))
          (f32.store (i32.add (local.get $ts) (i32.shl (local.get $p) (i32.const 2))) (local.get $s))
          (i32.store (i32.add (local.get $ti) (i32.shl (local.get $p) (i32.const 2))) (i32.add (local.get $base) (local.get $j)))
          (local.set $worst (f32.load (i32.add (local.get $ts) (i32.shl (i32.sub (local.get $k) (i32.const 1)) (i32.const 2)))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $lj)))
      (if (i32.ge_s (local.get $sameJ) (i32.const 0)) (then
        (f32.store (i32.add (local.get $sameSim) (local.get $q)) (local.get $same))
        (i32.store (i32.add (local.get $sameId) (local.get $q)) (i32.add (local.get $base) (local.get $sameJ)))))
      (if (i32.ge_s (local.get $otherJ) (i32.const 0)) (then
        (f32.store (i32.add (local.get $otherSim) (local.get $q)) (local.get $other))
        (i32.store (i32.add (local.get $otherId) (local.get $q)) (i32.add (local.get $base) (local.get $otherJ)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $lr))))
)
