;; Exact nearest neighbours in WebAssembly SIMD (f32x4): a block of queries against a slab of
;; references, the similarities computed a register tile at a time and merged straight into each
;; query's running results: its top k (similarities descending, ties keep the earlier reference)
;; and its nearest reference with the same label and with another label. No similarity matrix is
;; written out. Compiled by scripts/wasm.mjs into scanWasm.ts; src/core/neighbours.ts lays out
;; the memory and calls it.
;;
;; Layout (floats): queries in groups of tileRows (4) rows, each group [dim][4]; references in
;; panels of panelWidth (8), each panel [dim][8]. One step of a tile's dot products loads 8
;; references (2 v128) and 4 query scalars (load32_splat) into 8 accumulators: 64 flops for 6
;; loads. Without fused multiply-add (relaxed SIMD is not in Node 20) that is the widest tile
;; V8 keeps in its 16 registers: V8 issues a loop body's loads first, so 6x8 tiles, and this
;; loop unrolled, spill to the stack and ran at half the speed.
;;
;; Each finished tile is compared with its rows' thresholds, the least similarity that could
;; still change one of the row's results; only a tile with a similarity above one goes through
;; the scalar merge, and once a query has seen a few thousand references almost none does.
;;
;; Per query row r of the block: thr[r]; flags[r] (1: the slab holds references with the row's
;; label, 2: with another label, 4: a real row, not padding); qLabel[r]; topSim/topId [r*k ..];
;; sameSim/sameId/otherSim/otherId [r]. Ids are positions in the reference list (base + j);
;; refLabel is indexed by position. All pointers are byte offsets into the exported memory.
(module
  (memory (export "memory") 1)
  (global (export "tileRows") i32 (i32.const 4))
  (global (export "panelWidth") i32 (i32.const 8))

  (global $thr (mut i32) (i32.const 0))
  (global $flags (mut i32) (i32.const 0))
  (global $qLabel (mut i32) (i32.const 0))
  (global $refLabel (mut i32) (i32.const 0))
  (global $topSim (mut i32) (i32.const 0))
  (global $topId (mut i32) (i32.const 0))
  (global $k (mut i32) (i32.const 0))
  (global $sameSim (mut i32) (i32.const 0))
  (global $sameId (mut i32) (i32.const 0))
  (global $otherSim (mut i32) (i32.const 0))
  (global $otherId (mut i32) (i32.const 0))
  (global $scratch (mut i32) (i32.const 0))

  ;; where the per-row state and the scratch tile (tileRows x panelWidth floats) live
  (func (export "layout")
    (param $thr i32) (param $flags i32) (param $qLabel i32) (param $refLabel i32) (param $topSim i32) (param $topId i32)
    (param $k i32) (param $sameSim i32) (param $sameId i32) (param $otherSim i32) (param $otherId i32) (param $scratch i32)
    (global.set $thr (local.get $thr)) (global.set $flags (local.get $flags)) (global.set $qLabel (local.get $qLabel))
    (global.set $refLabel (local.get $refLabel)) (global.set $topSim (local.get $topSim)) (global.set $topId (local.get $topId))
    (global.set $k (local.get $k)) (global.set $sameSim (local.get $sameSim)) (global.set $sameId (local.get $sameId))
    (global.set $otherSim (local.get $otherSim)) (global.set $otherId (local.get $otherId)) (global.set $scratch (local.get $scratch)))

  ;; row r's threshold: the least of its k-th best, and its same- and other-label best where the
  ;; slab can still change them (+inf for padding rows)
  (func $threshold (param $r i32) (result f32)
    (local $q i32) (local $f i32) (local $t f32)
    (local.set $q (i32.shl (local.get $r) (i32.const 2)))
    (local.set $f (i32.load (i32.add (global.get $flags) (local.get $q))))
    (local.set $t (f32.const inf))
    (if (i32.and (local.get $f) (i32.const 4)) (then
      (local.set $t (f32.load (i32.add (global.get $topSim)
        (i32.shl (i32.sub (i32.mul (i32.add (local.get $r) (i32.const 1)) (global.get $k)) (i32.const 1)) (i32.const 2)))))))
    (if (i32.and (local.get $f) (i32.const 1)) (then
      (local.set $t (f32.min (local.get $t) (f32.load (i32.add (global.get $sameSim) (local.get $q)))))))
    (if (i32.and (local.get $f) (i32.const 2)) (then
      (local.set $t (f32.min (local.get $t) (f32.load (i32.add (global.get $otherSim) (local.get $q)))))))
    (local.get $t))

  ;; merges row r's similarities sims[0..count) with references base + j .. into its results, in
  ;; order (so ties keep the earlier reference), and refreshes its threshold
  (func $merge (param $r i32) (param $sims i32) (param $j i32) (param $count i32) (param $base i32)
    (local $q i32) (local $f i32) (local $t f32) (local $c i32) (local $s f32) (local $pos i32)
    (local $ts i32) (local $ti i32) (local $p i32) (local $at i32)
    (local.set $q (i32.shl (local.get $r) (i32.const 2)))
    (local.set $f (i32.load (i32.add (global.get $flags) (local.get $q))))
    (local.set $t (f32.load (i32.add (global.get $thr) (local.get $q))))
    (local.set $ts (i32.add (global.get $topSim) (i32.shl (i32.mul (local.get $r) (global.get $k)) (i32.const 2))))
    (local.set $ti (i32.add (global.get $topId) (i32.shl (i32.mul (local.get $r) (global.get $k)) (i32.const 2))))
    (block $endc (loop $lc
      (br_if $endc (i32.ge_u (local.get $c) (local.get $count)))
      (local.set $s (f32.load (i32.add (local.get $sims) (i32.shl (local.get $c) (i32.const 2)))))
      (if (f32.gt (local.get $s) (local.get $t)) (then
        (local.set $pos (i32.add (local.get $base) (i32.add (local.get $j) (local.get $c))))
        (if (i32.and (local.get $f) (i32.const 3)) (then
          (if (i32.eq (i32.load (i32.add (global.get $refLabel) (i32.shl (local.get $pos) (i32.const 2))))
                      (i32.load (i32.add (global.get $qLabel) (local.get $q))))
            (then (if (f32.gt (local.get $s) (f32.load (i32.add (global.get $sameSim) (local.get $q)))) (then
              (f32.store (i32.add (global.get $sameSim) (local.get $q)) (local.get $s))
              (i32.store (i32.add (global.get $sameId) (local.get $q)) (local.get $pos)))))
            (else (if (f32.gt (local.get $s) (f32.load (i32.add (global.get $otherSim) (local.get $q)))) (then
              (f32.store (i32.add (global.get $otherSim) (local.get $q)) (local.get $s))
              (i32.store (i32.add (global.get $otherId) (local.get $q)) (local.get $pos))))))))
        (if (i32.and (local.get $f) (i32.const 4)) (then
          (local.set $p (i32.sub (global.get $k) (i32.const 1)))
          (if (f32.gt (local.get $s) (f32.load (i32.add (local.get $ts) (i32.shl (local.get $p) (i32.const 2))))) (then
            ;; insertion: shift the smaller entries down one place
            (block $endp (loop $lp
              (br_if $endp (i32.le_s (local.get $p) (i32.const 0)))
              (local.set $at (i32.shl (i32.sub (local.get $p) (i32.const 1)) (i32.const 2)))
              (br_if $endp (i32.eqz (f32.lt (f32.load (i32.add (local.get $ts) (local.get $at))) (local.get $s))))
              (f32.store offset=4 (i32.add (local.get $ts) (local.get $at)) (f32.load (i32.add (local.get $ts) (local.get $at))))
              (i32.store offset=4 (i32.add (local.get $ti) (local.get $at)) (i32.load (i32.add (local.get $ti) (local.get $at))))
              (local.set $p (i32.sub (local.get $p) (i32.const 1)))
              (br $lp)))
            (f32.store (i32.add (local.get $ts) (i32.shl (local.get $p) (i32.const 2))) (local.get $s))
            (i32.store (i32.add (local.get $ti) (i32.shl (local.get $p) (i32.const 2))) (local.get $pos))))))
        (local.set $t (call $threshold (local.get $r)))))
      (local.set $c (i32.add (local.get $c) (i32.const 1)))
      (br $lc)))
    (f32.store (i32.add (global.get $thr) (local.get $q)) (local.get $t)))

  ;; the block's groups x 4 query rows (packed at q) against the n references of one slab (panels
  ;; at refs, positions base ..), the slab walked in chunks of `chunk` references (a multiple of
  ;; 8) that stay in cache while every group of the block passes over them. dim >= 1.
  (func (export "search")
    (param $q i32) (param $groups i32) (param $dim i32) (param $refs i32) (param $n i32) (param $base i32) (param $chunk i32)
    (local $row i32) (local $c0 i32) (local $c1 i32) (local $g i32) (local $qg i32) (local $qe i32) (local $tp i32)
    (local $j i32) (local $rp i32) (local $qp i32) (local $count i32) (local $s v128) (local $m v128) (local $r0 v128) (local $r1 v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128) (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (block $endt (loop $lt
      (br_if $endt (i32.ge_u (local.get $row) (i32.mul (local.get $groups) (i32.const 4))))
      (f32.store (i32.add (global.get $thr) (i32.shl (local.get $row) (i32.const 2))) (call $threshold (local.get $row)))
      (local.set $row (i32.add (local.get $row) (i32.const 1)))
      (br $lt)))
    (block $endc (loop $lc
      (br_if $endc (i32.ge_u (local.get $c0) (local.get $n)))
      (local.set $c1 (select (local.get $n) (i32.add (local.get $c0) (local.get $chunk))
        (i32.lt_u (local.get $n) (i32.add (local.get $c0) (local.get $chunk)))))
      (local.set $g (i32.const 0))
      (block $endg (loop $lg
        (br_if $endg (i32.ge_u (local.get $g) (local.get $groups)))
        (local.set $row (i32.shl (local.get $g) (i32.const 2)))
        (local.set $qg (i32.add (local.get $q) (i32.mul (local.get $g) (i32.shl (local.get $dim) (i32.const 4)))))
        (local.set $qe (i32.add (local.get $qg) (i32.shl (local.get $dim) (i32.const 4))))
        (local.set $tp (i32.add (global.get $thr) (i32.shl (local.get $row) (i32.const 2))))
        (local.set $j (local.get $c0))
        (block $endj (loop $lj
          (br_if $endj (i32.ge_u (local.get $j) (local.get $c1)))
          ;; the tile: queries row .. row+3 x references j .. j+7
          (local.set $rp (i32.add (local.get $refs) (i32.mul (local.get $j) (i32.shl (local.get $dim) (i32.const 2)))))
          (local.set $qp (local.get $qg))
          (local.set $a00 (v128.const i32x4 0 0 0 0)) (local.set $a01 (v128.const i32x4 0 0 0 0))
          (local.set $a10 (v128.const i32x4 0 0 0 0)) (local.set $a11 (v128.const i32x4 0 0 0 0))
          (local.set $a20 (v128.const i32x4 0 0 0 0)) (local.set $a21 (v128.const i32x4 0 0 0 0))
          (local.set $a30 (v128.const i32x4 0 0 0 0)) (local.set $a31 (v128.const i32x4 0 0 0 0))
          (loop $ld
            (local.set $r0 (v128.load (local.get $rp)))
            (local.set $r1 (v128.load offset=16 (local.get $rp)))
            (local.set $s (v128.load32_splat (local.get $qp)))
            (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $s) (local.get $r0))))
            (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $s) (local.get $r1))))
            (local.set $s (v128.load32_splat offset=4 (local.get $qp)))
            (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $s) (local.get $r0))))
            (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $s) (local.get $r1))))
            (local.set $s (v128.load32_splat offset=8 (local.get $qp)))
            (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $s) (local.get $r0))))
            (local.set $a21 (f32x4.add (local.get $a21) (f32x4.mul (local.get $s) (local.get $r1))))
            (local.set $s (v128.load32_splat offset=12 (local.get $qp)))
            (local.set $a30 (f32x4.add (local.get $a30) (f32x4.mul (local.get $s) (local.get $r0))))
            (local.set $a31 (f32x4.add (local.get $a31) (f32x4.mul (local.get $s) (local.get $r1))))
            (local.set $qp (i32.add (local.get $qp) (i32.const 16)))
            (local.set $rp (i32.add (local.get $rp) (i32.const 32)))
            (br_if $ld (i32.lt_u (local.get $qp) (local.get $qe))))
          ;; any similarity above its row's threshold?
          (local.set $s (v128.load32_splat (local.get $tp)))
          (local.set $m (v128.or (f32x4.gt (local.get $a00) (local.get $s)) (f32x4.gt (local.get $a01) (local.get $s))))
          (local.set $s (v128.load32_splat offset=4 (local.get $tp)))
          (local.set $m (v128.or (local.get $m) (v128.or (f32x4.gt (local.get $a10) (local.get $s)) (f32x4.gt (local.get $a11) (local.get $s)))))
          (local.set $s (v128.load32_splat offset=8 (local.get $tp)))
          (local.set $m (v128.or (local.get $m) (v128.or (f32x4.gt (local.get $a20) (local.get $s)) (f32x4.gt (local.get $a21) (local.get $s)))))
          (local.set $s (v128.load32_splat offset=12 (local.get $tp)))
          (local.set $m (v128.or (local.get $m) (v128.or (f32x4.gt (local.get $a30) (local.get $s)) (f32x4.gt (local.get $a31) (local.get $s)))))
          (if (v128.any_true (local.get $m)) (then
            ;; the tile's rows to scratch [4][8], each merged over the references that exist
            (v128.store (global.get $scratch) (local.get $a00)) (v128.store offset=16 (global.get $scratch) (local.get $a01))
            (v128.store offset=32 (global.get $scratch) (local.get $a10)) (v128.store offset=48 (global.get $scratch) (local.get $a11))
            (v128.store offset=64 (global.get $scratch) (local.get $a20)) (v128.store offset=80 (global.get $scratch) (local.get $a21))
            (v128.store offset=96 (global.get $scratch) (local.get $a30)) (v128.store offset=112 (global.get $scratch) (local.get $a31))
            (local.set $count (select (i32.const 8) (i32.sub (local.get $n) (local.get $j))
              (i32.ge_u (i32.sub (local.get $n) (local.get $j)) (i32.const 8))))
            (call $merge (local.get $row) (global.get $scratch) (local.get $j) (local.get $count) (local.get $base))
            (call $merge (i32.add (local.get $row) (i32.const 1)) (i32.add (global.get $scratch) (i32.const 32)) (local.get $j) (local.get $count) (local.get $base))
            (call $merge (i32.add (local.get $row) (i32.const 2)) (i32.add (global.get $scratch) (i32.const 64)) (local.get $j) (local.get $count) (local.get $base))
            (call $merge (i32.add (local.get $row) (i32.const 3)) (i32.add (global.get $scratch) (i32.const 96)) (local.get $j) (local.get $count) (local.get $base))))
          (local.set $j (i32.add (local.get $j) (i32.const 8)))
          (br $lj)))
        (local.set $g (i32.add (local.get $g) (i32.const 1)))
        (br $lg)))
      (local.set $c0 (local.get $c1))
      (br $lc))))
)
