/// A cache-blocked, packed, SIMD matrix multiply (the BLIS/GotoBLAS loop structure).
///
/// `C (m×n) = op(A) (m×k) · op(B) (k×n)`, where `op(A)[i, p] = A[i·rsA + p·csA]` so transposed
/// operands are read in place while packing. Loops, outermost first: K blocks of `kc` (pack all of
/// A's panel), N blocks of `nc` (pack B's panel), then row blocks of `mc` spread over threads,
/// then the `MR × NR` register micro-kernel.
///
/// Determinism: every element of C accumulates its k products in the same order (K blocks in
/// order, p ascending inside a block) whatever the number of threads, because threads only split
/// rows of C. So results are bitwise identical for any thread count.
///
/// NOTE: MR = 6 rows by NR = 16 floats (two AVX2 vectors per row) gives 12 accumulator registers
/// plus 2 for B and 1 broadcast: the largest tile that fits the 16 ymm registers.

/// A scalar with a SIMD vector type for the micro-kernel.
protocol GemmScalar: TensorScalar, Codable {
  associatedtype Vector: SIMD where Vector.Scalar == Self
  static var kc: Int { get }
  static var mc: Int { get }
  static var nc: Int { get }
}

extension Float: GemmScalar {
  typealias Vector = SIMD16<Float>
  static var kc: Int { 256 }
  static var mc: Int { 72 }
  static var nc: Int { 512 }
}

extension Double: GemmScalar {
  typealias Vector = SIMD8<Double>
  static var kc: Int { 256 }
  static var mc: Int { 72 }
  static var nc: Int { 256 }
}

/// Rows of the register tile.
let gemmMR = 6

/// Reusable packing buffers for a run of GEMM calls on one thread.
struct GemmWorkspace<T: GemmScalar> {
  var packedA: UnsafeMutablePointer<T>
  var packedB: UnsafeMutablePointer<T>
  var capacityA: Int
  var capacityB: Int

  init() {
    capacityA = 0; capacityB = 0
    packedA = .allocate(capacity: 1)
    packedB = .allocate(capacity: 1)
  }

  mutating func reserve(a: Int, b: Int) {
    if a > capacityA {
      packedA.deallocate()
      packedA = .allocate(capacity: a)
      capacityA = a
    }
    if b > capacityB {
      packedB.deallocate()
      packedB = .allocate(capacity: b)
      capacityB = b
    }
  }

  func release() {
    packedA.deallocate()
    packedB.deallocate()
  }
}

/// `C += op(A) · op(B)` for one matrix (C must be initialised, e.g. to zero).
///
/// - Parameters: strides of A and B as described above; `ldc` is C's row stride (columns
///   contiguous); `threads` is the number of threads for row blocks.
func gemm<T: GemmScalar>(
  m: Int, n: Int, k: Int,
  a: UnsafePointer<T>, rsA: Int, csA: Int,
  b: UnsafePointer<T>, rsB: Int, csB: Int,
  c: UnsafeMutablePointer<T>, ldc: Int,
  threads: Int, workspace ws: inout GemmWorkspace<T>
) {
  if m == 0 || n == 0 || k == 0 { return }
  let NR = T.Vector.scalarCount, MR = gemmMR
  let KC = T.kc, MC = T.mc, NC = T.nc
  let mPanels = (m + MR - 1) / MR
  let ncMax = min(NC, n)
  let nPanelsMax = (ncMax + NR - 1) / NR
  ws.reserve(a: mPanels * MR * KC, b: nPanelsMax * NR * KC)
  let pa = ws.packedA, pb = ws.packedB
  // Row blocks: at most MC rows, and at least 8 blocks when m allows, so two threads share
  // mid-sized products evenly. Depends on m only (never on the thread count).
  let mcEff = max(MR, min(MC, ((m + 7) / 8 + MR - 1) / MR * MR))
  let rowBlocks = (m + mcEff - 1) / mcEff

  var pc = 0
  while pc < k {
    let kc = min(KC, k - pc)
    var jc = 0
    while jc < n {
      let nc = min(NC, n - jc)
      let nPanels = (nc + NR - 1) / NR
      packB(kc: kc, nc: nc, b: b + pc * rsB + jc * csB, rsB: rsB, csB: csB, into: pb, nr: NR)
      let cBlock = c + jc
      let work = 2 * m * nc * kc
      // NOTE: below ~8 MFLOP per panel, waking a second thread costs more than it saves on a
      // loaded 2-core machine (128³: 65 GFLOP/s threaded vs 110 single).
      Parallelism.forEachChunk(rowBlocks, threads: work >= 1 << 23 ? threads : 1) { blk in
        let i0 = blk * mcEff, i1 = min(m, i0 + mcEff)
        if jc == 0 {
          // Each row block packs its own rows of A[:, pc..<pc+kc] (MR-row panels: panel[p][r]),
          // reused for the following N blocks.
          packA(m: i1 - i0, kc: kc, a: a + i0 * rsA + pc * csA, rsA: rsA, csA: csA,
                into: pa + (i0 / MR) * MR * kc)
        }
        var jp = 0
        while jp < nPanels {
          let j0 = jp * NR
          let nr = min(NR, nc - j0)
          let bPanel = UnsafePointer(pb + jp * NR * kc)
          var i = i0
          while i < i1 {
            let mr = min(MR, i1 - i)
            let aPanel = UnsafePointer(pa + (i / MR) * MR * kc)
            microKernel(kc: kc, a: aPanel, b: bPanel, c: cBlock + i * ldc + j0, ldc: ldc, mr: mr, nr: nr)
            i += MR
          }
          jp += 1
        }
      }
      jc += nc
    }
    pc += kc
  }
}

/// Packs rows `0..<m`, columns `0..<kc` of op(A) into MR-row panels, zero-padded.
@inline(__always)
func packA<T: GemmScalar>(m: Int, kc: Int, a: UnsafePointer<T>, rsA: Int, csA: Int,
                          into dst: UnsafeMutablePointer<T>) {
  let MR = gemmMR
  var panel = 0
  var i0 = 0
  while i0 < m {
    let rows = min(MR, m - i0)
    let d = dst + panel * MR * kc
    if csA == 1 && rows == MR && MR == 6 {
      // NOTE: p outer, the six rows inner: six sequential reads and one contiguous run of six
      // writes per p. Row by row (strided scalar writes) this copy took a third as long as the
      // micro-kernel on [2000, 100] · [100, 100] (perf, `hmbench maml-nav`).
      let s0 = a + i0 &* rsA, s1 = s0 + rsA, s2 = s1 + rsA, s3 = s2 + rsA, s4 = s3 + rsA, s5 = s4 + rsA
      var dp = d
      for p in 0..<kc {
        dp[0] = s0[p]; dp[1] = s1[p]; dp[2] = s2[p]; dp[3] = s3[p]; dp[4] = s4[p]; dp[5] = s5[p]
        dp += 6
      }
    } else if csA == 1 && rows == MR {
      for r in 0..<MR {
        let src = a + (i0 + r) * rsA
        for p in 0..<kc { d[p * MR + r] = src[p] }
      }
    } else if rsA == 1 && rows == MR {
      for p in 0..<kc {
        let src = a + p * csA + i0
        for r in 0..<MR { d[p * MR + r] = src[r] }
      }
    } else {
      for p in 0..<kc {
        for r in 0..<MR {
          d[p * MR + r] = r < rows ? a[(i0 + r) * rsA + p * csA] : 0
        }
      }
    }
    panel += 1
    i0 += MR
  }
}

/// Packs rows `0..<kc`, columns `0..<nc` of op(B) into NR-column panels, zero-padded.
@inline(__always)
func packB<T: GemmScalar>(kc: Int, nc: Int, b: UnsafePointer<T>, rsB: Int, csB: Int,
                          into dst: UnsafeMutablePointer<T>, nr NR: Int) {
  var panel = 0
  var j0 = 0
  while j0 < nc {
    let cols = min(NR, nc - j0)
    let d = dst + panel * NR * kc
    if csB == 1 && cols == NR {
      for p in 0..<kc {
        (d + p * NR).update(from: b + p * rsB + j0, count: NR)
      }
    } else {
      for p in 0..<kc {
        for j in 0..<NR {
          d[p * NR + j] = j < cols ? b[p * rsB + (j0 + j) * csB] : 0
        }
      }
    }
    panel += 1
    j0 += NR
  }
}

/// `C[0..<mr, 0..<nr] += Apanel · Bpanel` with a 6 × NR register tile.
@inline(__always)
func microKernel<T: GemmScalar>(kc: Int, a: UnsafePointer<T>, b: UnsafePointer<T>,
                                c: UnsafeMutablePointer<T>, ldc: Int, mr: Int, nr: Int) {
  typealias V = T.Vector
  var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
  let rawB = UnsafeRawPointer(b)
  let stride = MemoryLayout<V>.size
  var ap = a
  for p in 0..<kc {
    let bv = rawB.loadUnaligned(fromByteOffset: p * stride, as: V.self)
    c0 = c0.addingProduct(ap[0], bv)
    c1 = c1.addingProduct(ap[1], bv)
    c2 = c2.addingProduct(ap[2], bv)
    c3 = c3.addingProduct(ap[3], bv)
    c4 = c4.addingProduct(ap[4], bv)
    c5 = c5.addingProduct(ap[5], bv)
    ap += gemmMR
  }
  if mr == gemmMR && nr == V.scalarCount {
    storeRow(c0, c, nr); storeRow(c1, c + ldc, nr); storeRow(c2, c + 2 * ldc, nr)
    storeRow(c3, c + 3 * ldc, nr); storeRow(c4, c + 4 * ldc, nr); storeRow(c5, c + 5 * ldc, nr)
    return
  }
  for r in 0..<mr {
    switch r {
    case 0: storeRow(c0, c, nr)
    case 1: storeRow(c1, c + ldc, nr)
    case 2: storeRow(c2, c + 2 * ldc, nr)
    case 3: storeRow(c3, c + 3 * ldc, nr)
    case 4: storeRow(c4, c + 4 * ldc, nr)
    default: storeRow(c5, c + 5 * ldc, nr)
    }
  }
}

@inline(__always)
func storeRow<V: SIMD>(_ v: V, _ c: UnsafeMutablePointer<V.Scalar>, _ nr: Int) where V.Scalar: FloatingPoint {
  if nr == V.scalarCount {
    let raw = UnsafeMutableRawPointer(c)
    let old = raw.loadUnaligned(as: V.self)
    raw.storeBytes(of: old + v, as: V.self)
  } else {
    for j in 0..<nr { c[j] += v[j] }
  }
}
