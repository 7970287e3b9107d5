/// An unpacked SIMD kernel for small matrices (MAML-sized layers: 10×40 · 40×40), where packing
/// costs as much as the arithmetic. B's rows are read in place (copied to the workspace first
/// when B is transposed); columns go in SIMD chunks of 16/8/4 floats (8/4/2 doubles) plus a
/// scalar remainder, rows in blocks of 4. Each C element accumulates its k products in
/// ascending p order, as the blocked kernel does within a block.

/// Problems with at most this many multiply-adds take the unpacked kernel.
let smallMatmulLimit = 64 * 64 * 64

/// `C = op(A) · op(B)` for a small problem (C is overwritten).
func smallGemm<T: GemmScalar>(
  m: Int, n: Int, k: Int,
  a: UnsafePointer<T>, rsA: Int, csA: Int,
  b: UnsafePointer<T>, rsB: Int, csB: Int,
  c: UnsafeMutablePointer<T>, ldc: Int,
  workspace ws: inout GemmWorkspace<T>
) {
  if m == 0 || n == 0 { return }
  if n == 1 && m > 1 && rsB == 1 {
    if csA == 1 {
      // Matrix-vector with contiguous rows: SIMD dot products over k.
      for i in 0..<m { c[i * ldc] = dotProduct(a + i * rsA, UnsafePointer(b), k) }
      return
    }
    if rsA == 1 {
      // Aᵀ stored row-major: solve the transposed problem cᵀ (1×m) = bᵀ (1×k) · Aᵀ (k×m),
      // whose right operand has contiguous rows.
      smallGemm(m: 1, n: m, k: k, a: b, rsA: 0, csA: 1, b: a, rsB: csA, csB: 1, c: c, ldc: m * ldc,
                workspace: &ws)
      return
    }
  }
  var bp = b, ldb = rsB
  if csB != 1 {
    ws.reserve(a: 0, b: k * n)
    let dst = ws.packedB
    if rsB == 1 {
      transposeCopy(UnsafePointer(b), rows: n, cols: k, sourceStride: csB, into: dst)
    } else {
      for p in 0..<k { for j in 0..<n { dst[p &* n &+ j] = b[p &* rsB &+ j &* csB] } }
    }
    bp = UnsafePointer(dst)
    ldb = n
  }
  var j = 0
  let w = T.Vector.scalarCount
  while j + w <= n {
    columnPanel(T.Vector.self, m: m, k: k, a: a, rsA: rsA, csA: csA, b: bp + j, ldb: ldb, c: c + j, ldc: ldc)
    j += w
  }
  if T.Vector.scalarCount > 8 && j + 8 <= n {
    columnPanel(SIMD8<T>.self, m: m, k: k, a: a, rsA: rsA, csA: csA, b: bp + j, ldb: ldb, c: c + j, ldc: ldc)
    j += 8
  }
  if j + 4 <= n {
    columnPanel(SIMD4<T>.self, m: m, k: k, a: a, rsA: rsA, csA: csA, b: bp + j, ldb: ldb, c: c + j, ldc: ldc)
    j += 4
  }
  while j < n {
    for i in 0..<m {
      var s: T = 0
      let ai = a + i * rsA
      for p in 0..<k { s = s.addingProduct(ai[p * csA], bp[p * ldb + j]) }
      c[i * ldc + j] = s
    }
    j += 1
  }
}

/// A compile-time row count for the register tile (specialisation folds the unused rows away).
protocol TileRows { static var rows: Int { get } }
enum Rows1: TileRows { static var rows: Int { 1 } }
enum Rows2: TileRows { static var rows: Int { 2 } }
enum Rows3: TileRows { static var rows: Int { 3 } }
enum Rows4: TileRows { static var rows: Int { 4 } }
enum Rows5: TileRows { static var rows: Int { 5 } }
enum Rows6: TileRows { static var rows: Int { 6 } }

/// C[:, 0..<V.scalarCount] = A · B[:, 0..<V.scalarCount].
///
/// NOTE: rows go in blocks of up to 6, split evenly (m = 10 → 5 + 5), because an FMA has a
/// 4-cycle latency: a block needs ≥ 8 independent accumulators to keep both FMA pipes busy,
/// and a 1- or 2-row remainder would run at a quarter of the speed.
@inline(__always)
func columnPanel<V: SIMD>(_: V.Type, m: Int, k: Int, a: UnsafePointer<V.Scalar>, rsA: Int, csA: Int,
                          b: UnsafePointer<V.Scalar>, ldb: Int, c: UnsafeMutablePointer<V.Scalar>, ldc: Int)
where V.Scalar: GemmScalar {
  var i = 0
  while i < m {
    let left = m - i
    // Blocks of 6, with the last two blocks balanced (7 → 4 + 3, 10 → 5 + 5).
    let rows = left <= 6 ? left : (left < 12 ? (left + 1) / 2 : 6)
    let ai = a + i * rsA, ci = c + i * ldc
    switch rows {
    case 6: rowBlock(V.self, Rows6.self, k: k, a: ai, rsA: rsA, csA: csA, b: b, ldb: ldb, c: ci, ldc: ldc)
    case 5: rowBlock(V.self, Rows5.self, k: k, a: ai, rsA: rsA, csA: csA, b: b, ldb: ldb, c: ci, ldc: ldc)
    case 4: rowBlock(V.self, Rows4.self, k: k, a: ai, rsA: rsA, csA: csA, b: b, ldb: ldb, c: ci, ldc: ldc)
    case 3: rowBlock(V.self, Rows3.self, k: k, a: ai, rsA: rsA, csA: csA, b: b, ldb: ldb, c: ci, ldc: ldc)
    case 2: rowBlock(V.self, Rows2.self, k: k, a: ai, rsA: rsA, csA: csA, b: b, ldb: ldb, c: ci, ldc: ldc)
    default: rowBlock(V.self, Rows1.self, k: k, a: ai, rsA: rsA, csA: csA, b: b, ldb: ldb, c: ci, ldc: ldc)
    }
    i += rows
  }
}

/// C[0..<R.rows, 0..<V.scalarCount] = A[0..<R.rows, :] · B[:, 0..<V.scalarCount] (C overwritten).
@inline(__always)
func rowBlock<V: SIMD, R: TileRows>(_: V.Type, _: R.Type, k: Int, a: UnsafePointer<V.Scalar>, rsA: Int,
                                    csA: Int, b: UnsafePointer<V.Scalar>, ldb: Int,
                                    c: UnsafeMutablePointer<V.Scalar>, ldc: Int)
where V.Scalar: GemmScalar {
  let r = R.rows
  let rawB = UnsafeRawPointer(b)
  let rowBytes = ldb &* MemoryLayout<V.Scalar>.stride
  var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
  let a0 = a, a1 = a + rsA, a2 = a + 2 * rsA, a3 = a + 3 * rsA, a4 = a + 4 * rsA, a5 = a + 5 * rsA
  var ao = 0
  for p in 0..<k {
    let bv = rawB.loadUnaligned(fromByteOffset: p &* rowBytes, as: V.self)
    c0 = c0.addingProduct(a0[ao], bv)
    if r > 1 { c1 = c1.addingProduct(a1[ao], bv) }
    if r > 2 { c2 = c2.addingProduct(a2[ao], bv) }
    if r > 3 { c3 = c3.addingProduct(a3[ao], bv) }
    if r > 4 { c4 = c4.addingProduct(a4[ao], bv) }
    if r > 5 { c5 = c5.addingProduct(a5[ao], bv) }
    ao &+= csA
  }
  let raw = UnsafeMutableRawPointer(c)
  let cb = ldc &* MemoryLayout<V.Scalar>.stride
  raw.storeBytes(of: c0, as: V.self)
  if r > 1 { (raw + cb).storeBytes(of: c1, as: V.self) }
  if r > 2 { (raw + 2 * cb).storeBytes(of: c2, as: V.self) }
  if r > 3 { (raw + 3 * cb).storeBytes(of: c3, as: V.self) }
  if r > 4 { (raw + 4 * cb).storeBytes(of: c4, as: V.self) }
  if r > 5 { (raw + 5 * cb).storeBytes(of: c5, as: V.self) }
}

/// Σ a[p]·b[p] for p < k, in 16 (8 for Double) interleaved lanes then a fixed-order horizontal sum.
@inline(__always)
func dotProduct<T: GemmScalar>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ k: Int) -> T {
  typealias V = T.Vector
  let w = V.scalarCount
  var acc = V()
  var p = 0
  let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
  let stride = MemoryLayout<T>.stride
  while p + w <= k {
    acc = acc.addingProduct(ra.loadUnaligned(fromByteOffset: p * stride, as: V.self),
                            rb.loadUnaligned(fromByteOffset: p * stride, as: V.self))
    p += w
  }
  var s: T = 0
  for l in 0..<w { s += acc[l] }
  while p < k {
    s = s.addingProduct(a[p], b[p])
    p += 1
  }
  return s
}

/// dst[c·rows + r] = src[r·sourceStride + c] for a `rows × cols` source: 4×4 register blocks
/// (four SIMD4 loads, four SIMD4 stores), scalar edges.
func transposeCopy<T: GemmScalar>(_ src: UnsafePointer<T>, rows: Int, cols: Int, sourceStride: Int,
                                  into dst: UnsafeMutablePointer<T>) {
  let rawS = UnsafeRawPointer(src), rawD = UnsafeMutableRawPointer(dst)
  let es = MemoryLayout<T>.stride
  var r = 0
  while r + 4 <= rows {
    var c = 0
    while c + 4 <= cols {
      let r0 = rawS.loadUnaligned(fromByteOffset: (r &* sourceStride &+ c) &* es, as: SIMD4<T>.self)
      let r1 = rawS.loadUnaligned(fromByteOffset: ((r + 1) &* sourceStride &+ c) &* es, as: SIMD4<T>.self)
      let r2 = rawS.loadUnaligned(fromByteOffset: ((r + 2) &* sourceStride &+ c) &* es, as: SIMD4<T>.self)
      let r3 = rawS.loadUnaligned(fromByteOffset: ((r + 3) &* sourceStride &+ c) &* es, as: SIMD4<T>.self)
      rawD.storeBytes(of: SIMD4(r0[0], r1[0], r2[0], r3[0]), toByteOffset: (c &* rows &+ r) &* es, as: SIMD4<T>.self)
      rawD.storeBytes(of: SIMD4(r0[1], r1[1], r2[1], r3[1]), toByteOffset: ((c + 1) &* rows &+ r) &* es, as: SIMD4<T>.self)
      rawD.storeBytes(of: SIMD4(r0[2], r1[2], r2[2], r3[2]), toByteOffset: ((c + 2) &* rows &+ r) &* es, as: SIMD4<T>.self)
      rawD.storeBytes(of: SIMD4(r0[3], r1[3], r2[3], r3[3]), toByteOffset: ((c + 3) &* rows &+ r) &* es, as: SIMD4<T>.self)
      c += 4
    }
    while c < cols {
      for i in r..<(r + 4) { dst[c &* rows &+ i] = src[i &* sourceStride &+ c] }
      c += 1
    }
    r += 4
  }
  while r < rows {
    for c in 0..<cols { dst[c &* rows &+ r] = src[r &* sourceStride &+ c] }
    r += 1
  }
}
