;; The inner loop of the approximate neighbour search (src/core/ivf.ts): a set of points (queries,
;; or vectors being assigned to clusters) against one panel of vectors (one inverted list, or a
;; block of centroids), merging every similarity into each point's running results: the top k
;; (similarities descending; equal similarities keep the lower position) and, with labels, the
;; nearest vector with the point's label and with another label.
;;
;; Layout, all pointers byte offsets into the exported memory:
;;   points  row-major [rows x dim] f32; a point is named by its row.
;;   panel   the vectors in blocks of 8: for each d < dim, the 8 vectors' d-th values, so that one
;;           f32x4 load gives 4 vectors' values and a point's value is splatted over them: a tile
;;           of 4 points x 8 vectors keeps 8 accumulators in registers and needs no horizontal
;;           sums. Padding vectors are NaN: every comparison with NaN is false, so they are never
;;           taken, with no test in the loop.
;;   slotPos / slotLabel  per panel vector: its position (returned, and the tie-break) and label.
;;   state   per point row: topSim/topPos [rows x k], sameSim/samePos, otherSim/otherPos, label.
;; The SIMD comparisons against the running thresholds use >=, so ties reach the exact scalar test.
;; Compiled by scripts/wasm.mjs into ivfWasm.ts.
(module
  (memory (export "memory") 1)
  (global $points (mut i32) (i32.const 0))
  (global $dimB (mut i32) (i32.const 0))
  (global $k (mut i32) (i32.const 0))
  (global $topSim (mut i32) (i32.const 0))
  (global $topPos (mut i32) (i32.const 0))
  (global $sameSim (mut i32) (i32.const 0))
  (global $samePos (mut i32) (i32.const 0))
  (global $otherSim (mut i32) (i32.const 0))
  (global $otherPos (mut i32) (i32.const 0))
  (global $label (mut i32) (i32.const 0))
  (global $useLabels (mut i32) (i32.const 0))
  (global $slotPos (mut i32) (i32.const 0))
  (global $slotLabel (mut i32) (i32.const 0))

  (func (export "setup")
    (param $points i32) (param $dim i32) (param $k i32) (param $topSim i32) (param $topPos i32)
    (param $sameSim i32) (param $samePos i32) (param $otherSim i32) (param $otherPos i32)
    (param $label i32) (param $useLabels i32)
    (global.set $points (local.get $points))
    (global.set $dimB (i32.shl (local.get $dim) (i32.const 2)))
    (global.set $k (local.get $k))
    (global.set $topSim (local.get $topSim))
    (global.set $topPos (local.get $topPos))
    (global.set $sameSim (local.get $sameSim))
    (global.set $samePos (local.get $samePos))
    (global.set $otherSim (local.get $otherSim))
    (global.set $otherPos (local.get $otherPos))
    (global.set $label (local.get $label))
    (global.set $useLabels (local.get $useLabels)))

  ;; Offers similarity s of the vector at position pos to point q: what 0 = the top k, 1 = the
  ;; nearest with its label, 2 = the nearest with another label.
  (func $offer (param $what i32) (param $q i32) (param $s f32) (param $pos i32)
    (local $ts i32) (local $tp i32) (local $p i32) (local $ps f32) (local $pp i32) (local $at i32)
    (if (local.get $what) (then
      (local.set $at (i32.shl (local.get $q) (i32.const 2)))
      (if (i32.eq (local.get $what) (i32.const 1))
        (then (local.set $ts (i32.add (global.get $sameSim) (local.get $at))) (local.set $tp (i32.add (global.get $samePos) (local.get $at))))
        (else (local.set $ts (i32.add (global.get $otherSim) (local.get $at))) (local.set $tp (i32.add (global.get $otherPos) (local.get $at)))))
      (local.set $ps (f32.load (local.get $ts)))
      (if (i32.or (f32.gt (local.get $s) (local.get $ps))
            (i32.and (f32.eq (local.get $s) (local.get $ps)) (i32.lt_s (local.get $pos) (i32.load (local.get $tp)))))
        (then (f32.store (local.get $ts) (local.get $s)) (i32.store (local.get $tp) (local.get $pos))))
      (return)))
    (local.set $at (i32.shl (i32.mul (local.get $q) (global.get $k)) (i32.const 2)))
    (local.set $ts (i32.add (global.get $topSim) (local.get $at)))
    (local.set $tp (i32.add (global.get $topPos) (local.get $at)))
    (local.set $p (i32.sub (global.get $k) (i32.const 1)))
    ;; not better than the last entry: nothing to do
    (local.set $ps (f32.load (i32.add (local.get $ts) (i32.shl (local.get $p) (i32.const 2)))))
    (local.set $pp (i32.load (i32.add (local.get $tp) (i32.shl (local.get $p) (i32.const 2)))))
    (if (i32.eqz (i32.or (f32.gt (local.get $s) (local.get $ps))
          (i32.and (f32.eq (local.get $s) (local.get $ps)) (i32.lt_s (local.get $pos) (local.get $pp)))))
      (then (return)))
    ;; insertion: shift the entries it beats down one place
    (block $end (loop $shift
      (br_if $end (i32.le_s (local.get $p) (i32.const 0)))
      (local.set $ps (f32.load (i32.add (local.get $ts) (i32.shl (i32.sub (local.get $p) (i32.const 1)) (i32.const 2)))))
      (local.set $pp (i32.load (i32.add (local.get $tp) (i32.shl (i32.sub (local.get $p) (i32.const 1)) (i32.const 2)))))
      (br_if $end (i32.eqz (i32.or (f32.lt (local.get $ps) (local.get $s))
        (i32.and (f32.eq (local.get $ps) (local.get $s)) (i32.gt_s (local.get $pp) (local.get $pos))))))
      (f32.store (i32.add (local.get $ts) (i32.shl (local.get $p) (i32.const 2))) (local.get $ps))
      (i32.store (i32.add (local.get $tp) (i32.shl (local.get $p) (i32.const 2))) (local.get $pp))
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (br $shift)))
    (f32.store (i32.add (local.get $ts) (i32.shl (local.get $p) (i32.const 2))) (local.get $s))
    (i32.store (i32.add (local.get $tp) (i32.shl (local.get $p) (i32.const 2))) (local.get $pos)))

  ;; Offers the 4 lanes of v (panel vectors slot..slot+3) one by one.
  (func $lanes (param $what i32) (param $q i32) (param $v v128) (param $slot i32)
    (local $sp i32)
    (local.set $sp (i32.add (global.get $slotPos) (i32.shl (local.get $slot) (i32.const 2))))
    (call $offer (local.get $what) (local.get $q) (f32x4.extract_lane 0 (local.get $v)) (i32.load offset=0 (local.get $sp)))
    (call $offer (local.get $what) (local.get $q) (f32x4.extract_lane 1 (local.get $v)) (i32.load offset=4 (local.get $sp)))
    (call $offer (local.get $what) (local.get $q) (f32x4.extract_lane 2 (local.get $v)) (i32.load offset=8 (local.get $sp)))
    (call $offer (local.get $what) (local.get $q) (f32x4.extract_lane 3 (local.get $v)) (i32.load offset=12 (local.get $sp))))

  ;; Merges 4 similarities (point q, panel vectors slot..slot+3) into q's results; `worst` is q's
  ;; k-th similarity, returned updated. Only a lane that reaches a threshold leaves SIMD.
  (func $merge (param $acc v128) (param $q i32) (param $slot i32) (param $worst f32) (result f32)
    (local $m v128) (local $c v128) (local $at i32)
    (if (global.get $useLabels) (then
      (local.set $at (i32.shl (local.get $q) (i32.const 2)))
      (local.set $m (i32x4.eq
        (v128.load (i32.add (global.get $slotLabel) (i32.shl (local.get $slot) (i32.const 2))))
        (i32x4.splat (i32.load (i32.add (global.get $label) (local.get $at))))))
      (local.set $c (v128.bitselect (local.get $acc) (v128.const f32x4 nan nan nan nan) (local.get $m)))
      (if (v128.any_true (f32x4.ge (local.get $c) (f32x4.splat (f32.load (i32.add (global.get $sameSim) (local.get $at))))))
        (then (call $lanes (i32.const 1) (local.get $q) (local.get $c) (local.get $slot))))
      (local.set $c (v128.bitselect (v128.const f32x4 nan nan nan nan) (local.get $acc) (local.get $m)))
      (if (v128.any_true (f32x4.ge (local.get $c) (f32x4.splat (f32.load (i32.add (global.get $otherSim) (local.get $at))))))
        (then (call $lanes (i32.const 2) (local.get $q) (local.get $c) (local.get $slot))))))
    (if (v128.any_true (f32x4.ge (local.get $acc) (f32x4.splat (local.get $worst)))) (then
      (call $lanes (i32.const 0) (local.get $q) (local.get $acc) (local.get $slot))
      (local.set $worst (f32.load (i32.add (global.get $topSim)
        (i32.shl (i32.sub (i32.mul (i32.add (local.get $q) (i32.const 1)) (global.get $k)) (i32.const 1)) (i32.const 2)))))))
    (local.get $worst))

  (func $worstOf (param $q i32) (result f32)
    (f32.load (i32.add (global.get $topSim)
      (i32.shl (i32.sub (i32.mul (i32.add (local.get $q) (i32.const 1)) (global.get $k)) (i32.const 1)) (i32.const 2)))))

  ;; The points named by idx[0..n) (n a multiple of 4) against the panel of `slots` vectors (a
  ;; multiple of 8) whose positions and labels are at slotPos and slotLabel.
  (func (export "scan") (param $idx i32) (param $n i32) (param $panel i32) (param $slots i32)
    (param $slotPos i32) (param $slotLabel i32)
    (local $t i32) (local $g i32) (local $p i32) (local $d i32)
    (local $q0 i32) (local $q1 i32) (local $q2 i32) (local $q3 i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32)
    (local $w0 f32) (local $w1 f32) (local $w2 f32) (local $w3 f32)
    (local $ra v128) (local $rb v128) (local $s v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $c4 v128) (local $c5 v128) (local $c6 v128) (local $c7 v128)
    (global.set $slotPos (local.get $slotPos))
    (global.set $slotLabel (local.get $slotLabel))
    (block $endt (loop $lt
      (br_if $endt (i32.ge_u (local.get $t) (local.get $n)))
      (local.set $q0 (i32.load offset=0 (i32.add (local.get $idx) (i32.shl (local.get $t) (i32.const 2)))))
      (local.set $q1 (i32.load offset=4 (i32.add (local.get $idx) (i32.shl (local.get $t) (i32.const 2)))))
      (local.set $q2 (i32.load offset=8 (i32.add (local.get $idx) (i32.shl (local.get $t) (i32.const 2)))))
      (local.set $q3 (i32.load offset=12 (i32.add (local.get $idx) (i32.shl (local.get $t) (i32.const 2)))))
      (local.set $a0 (i32.add (global.get $points) (i32.mul (local.get $q0) (global.get $dimB))))
      (local.set $a1 (i32.add (global.get $points) (i32.mul (local.get $q1) (global.get $dimB))))
      (local.set $a2 (i32.add (global.get $points) (i32.mul (local.get $q2) (global.get $dimB))))
      (local.set $a3 (i32.add (global.get $points) (i32.mul (local.get $q3) (global.get $dimB))))
      (local.set $w0 (call $worstOf (local.get $q0)))
      (local.set $w1 (call $worstOf (local.get $q1)))
      (local.set $w2 (call $worstOf (local.get $q2)))
      (local.set $w3 (call $worstOf (local.get $q3)))
      (local.set $p (local.get $panel))
      (local.set $g (i32.const 0))
      (block $endg (loop $lg
        (br_if $endg (i32.ge_u (local.get $g) (local.get $slots)))
        (local.set $c0 (v128.const i32x4 0 0 0 0)) (local.set $c1 (v128.const i32x4 0 0 0 0))
        (local.set $c2 (v128.const i32x4 0 0 0 0)) (local.set $c3 (v128.const i32x4 0 0 0 0))
        (local.set $c4 (v128.const i32x4 0 0 0 0)) (local.set $c5 (v128.const i32x4 0 0 0 0))
        (local.set $c6 (v128.const i32x4 0 0 0 0)) (local.set $c7 (v128.const i32x4 0 0 0 0))
        (local.set $d (i32.const 0))
        (block $endd (loop $ld
          (local.set $ra (v128.load offset=0 (local.get $p)))
          (local.set $rb (v128.load offset=16 (local.get $p)))
          (local.set $s (v128.load32_splat (i32.add (local.get $a0) (local.get $d))))
          (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $s) (local.get $ra))))
          (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $s) (local.get $rb))))
          (local.set $s (v128.load32_splat (i32.add (local.get $a1) (local.get $d))))
          (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $s) (local.get $ra))))
          (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $s) (local.get $rb))))
          (local.set $s (v128.load32_splat (i32.add (local.get $a2) (local.get $d))))
          (local.set $c4 (f32x4.add (local.get $c4) (f32x4.mul (local.get $s) (local.get $ra))))
          (local.set $c5 (f32x4.add (local.get $c5) (f32x4.mul (local.get $s) (local.get $rb))))
          (local.set $s (v128.load32_splat (i32.add (local.get $a3) (local.get $d))))
          (local.set $c6 (f32x4.add (local.get $c6) (f32x4.mul (local.get $s) (local.get $ra))))
          (local.set $c7 (f32x4.add (local.get $c7) (f32x4.mul (local.get $s) (local.get $rb))))
          (local.set $p (i32.add (local.get $p) (i32.const 32)))
          (local.set $d (i32.add (local.get $d) (i32.const 4)))
          (br_if $ld (i32.lt_u (local.get $d) (global.get $dimB)))))
        (local.set $w0 (call $merge (local.get $c0) (local.get $q0) (local.get $g) (local.get $w0)))
        (local.set $w0 (call $merge (local.get $c1) (local.get $q0) (i32.add (local.get $g) (i32.const 4)) (local.get $w0)))
        (local.set $w1 (call $merge (local.get $c2) (local.get $q1) (local.get $g) (local.get $w1)))
        (local.set $w1 (call $merge (local.get $c3) (local.get $q1) (i32.add (local.get $g) (i32.const 4)) (local.get $w1)))
        (local.set $w2 (call $merge (local.get $c4) (local.get $q2) (local.get $g) (local.get $w2)))
        (local.set $w2 (call $merge (local.get $c5) (local.get $q2) (i32.add (local.get $g) (i32.const 4)) (local.get $w2)))
        (local.set $w3 (call $merge (local.get $c6) (local.get $q3) (local.get $g) (local.get $w3)))
        (local.set $w3 (call $merge (local.get $c7) (local.get $q3) (i32.add (local.get $g) (i32.const 4)) (local.get $w3)))
        (local.set $g (i32.add (local.get $g) (i32.const 8)))
        (br $lg)))
      (local.set $t (i32.add (local.get $t) (i32.const 4)))
      (br $lt))))
)
