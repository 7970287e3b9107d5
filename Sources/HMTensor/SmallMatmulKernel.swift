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
    for p in 0..<k { for j in 0..<n { dst[p * n + j] = b[p * rsB + j * csB] } }
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

/// C[:, 0..<V.scalarCount] = A · B[:, 0..<V.scalarCount], rows in blocks of 4.
@inline(__always)
func columnPanel<V: SIMD>(_: V.Type, m: Int, k: Int, a: UnsafePointer<V.Scalar>, rsA: Int, csA: Int,
                          b: UnsafePointer<V.Scalar>, ldb: Int, c: UnsafeMutablePointer<V.Scalar>, ldc: Int)
where V.Scalar: GemmScalar {
  let rawB = UnsafeRawPointer(b)
  let rowBytes = ldb * MemoryLayout<V.Scalar>.stride
  var i = 0
  while i + 4 <= m {
    var c0 = V(), c1 = V(), c2 = V(), c3 = V()
    let a0 = a + i * rsA, a1 = a0 + rsA, a2 = a1 + rsA, a3 = a2 + rsA
    var ao = 0
    for p in 0..<k {
      let bv = rawB.loadUnaligned(fromByteOffset: p * rowBytes, as: V.self)
      c0 = c0.addingProduct(a0[ao], bv)
      c1 = c1.addingProduct(a1[ao], bv)
      c2 = c2.addingProduct(a2[ao], bv)
      c3 = c3.addingProduct(a3[ao], bv)
      ao += csA
    }
    let raw = UnsafeMutableRawPointer(c + i * ldc)
    let cb = ldc * MemoryLayout<V.Scalar>.stride
    raw.storeBytes(of: c0, as: V.self)
    (raw + cb).storeBytes(of: c1, as: V.self)
    (raw + 2 * cb).storeBytes(of: c2, as: V.self)
    (raw + 3 * cb).storeBytes(of: c3, as: V.self)
    i += 4
  }
  while i < m {
    var c0 = V()
    let a0 = a + i * rsA
    var ao = 0
    for p in 0..<k {
      c0 = c0.addingProduct(a0[ao], rawB.loadUnaligned(fromByteOffset: p * rowBytes, as: V.self))
      ao += csA
    }
    UnsafeMutableRawPointer(c + i * ldc).storeBytes(of: c0, as: V.self)
    i += 1
  }
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
