import HMTensor
import HMTestSupport
import Testing

/// Fast kernels against naive references on seeded random sizes (odd sizes, block edges),
/// and bitwise determinism across thread counts.
@Suite struct KernelTests {
  /// Naive triple loop in Double: C = A·B for A [m,k], B [k,n].
  func naiveMatmul(_ a: [Double], _ b: [Double], _ m: Int, _ n: Int, _ k: Int) -> [Double] {
    var c = [Double](repeating: 0, count: m * n)
    for i in 0..<m { for j in 0..<n { var s = 0.0; for p in 0..<k { s += a[i * k + p] * b[p * n + j] }; c[i * n + j] = s } }
    return c
  }

  @Test(arguments: [DType.float32, .float64])
  func matmulMatchesNaive(dtype: DType) throws {
    var rng = RandomStream(seed: 99, stream: [dtype == .float32 ? 32 : 64])
    var sizes: [(Int, Int, Int)] = [(1, 1, 1), (6, 16, 1), (7, 17, 3), (13, 5, 29), (1, 300, 7),
                                    (73, 33, 257), (100, 513, 20), (5, 1, 600)]
    for _ in 0..<6 { sizes.append((Int.random(in: 1...130, using: &rng), Int.random(in: 1...130, using: &rng), Int.random(in: 1...300, using: &rng))) }
    for (m, n, k) in sizes {
      let a = randomTensor([m, k], seed: UInt64(m * 1000 + k), dtype: dtype)
      let b = randomTensor([k, n], seed: UInt64(n * 1000 + k + 7), dtype: dtype)
      let ref = naiveMatmul(a.toArray(), b.toArray(), m, n, k)
      let tol = dtype == .float32 ? 1e-4 : 1e-12
      expectClose(try a.matmul(b).toArray(), ref, rtol: tol, atol: tol * Double(k), "matmul \(m)x\(k) @ \(k)x\(n)")
      // Transposed operands read in place.
      let at = try a.transposed(), bt = try b.transposed()
      expectClose(try Tensor.matmul(at, bt, transposeA: true, transposeB: true).toArray(), ref,
                  rtol: tol, atol: tol * Double(k), "matmul transposed \(m)x\(k) @ \(k)x\(n)")
      expectClose(try Tensor.matmul(a, bt, transposeB: true).toArray(), ref,
                  rtol: tol, atol: tol * Double(k), "matmul Bᵀ \(m)x\(k) @ \(k)x\(n)")
      expectClose(try Tensor.matmul(at, b, transposeA: true).toArray(), ref,
                  rtol: tol, atol: tol * Double(k), "matmul Aᵀ \(m)x\(k) @ \(k)x\(n)")
    }
  }

  @Test func batchedMatmulMatchesPerBatch() throws {
    let a = randomTensor([3, 1, 7, 9], seed: 1), b = randomTensor([4, 9, 5], seed: 2)
    let c = try a.matmul(b)
    #expect(c.shape == [3, 4, 7, 5])
    for i in 0..<3 {
      for j in 0..<4 {
        let ref = try a.index(i).index(0).matmul(b.index(j))
        expectClose(try c.index(i).index(j), ref, rtol: 1e-13)
      }
    }
  }

  @Test func elementwiseMatchesScalarMath() throws {
    let x = randomTensor([3, 1, 5], seed: 3, dtype: .float32), y = randomTensor([4, 1], seed: 4, dtype: .float32)
    let z = try x * y + x.exp()
    let xv = x.toArray(), yv = y.toArray()
    var ref: [Double] = []
    for i in 0..<3 { for j in 0..<4 { for k in 0..<5 {
      let a = Float(xv[i * 5 + k]), b = Float(yv[j])
      ref.append(Double(a * b + Foundation.exp(a)))
    } } }
    // float32 exp is vectorised (within 1 ulp of libm's expf, VectorMathTests), the rest exact.
    expectClose(z.toArray(), ref, rtol: 2.5e-7, "x * y + exp(x) with broadcasting")
  }

  /// Large matmul, elementwise and reduction results are bitwise identical with 1 and 2 threads.
  @Test func resultsIndependentOfThreadCount() throws {
    let a = randomTensor([300, 270], seed: 5, dtype: .float32), b = randomTensor([270, 310], seed: 6, dtype: .float32)
    let big = randomTensor([400_000], seed: 7, dtype: .float32)
    let batchA = randomTensor([25, 10, 40], seed: 8, dtype: .float32), batchB = randomTensor([25, 40, 40], seed: 9, dtype: .float32)
    func run() throws -> [[Float]] {
      [try a.matmul(b).toFloatArray(), try (big * big + 1).exp().toFloatArray(),
       try big.sum().toFloatArray(), try batchA.matmul(batchB).toFloatArray()]
    }
    let one = try Parallelism.$threadCount.withValue(1) { try run() }
    let two = try Parallelism.$threadCount.withValue(2) { try run() }
    let four = try Parallelism.$threadCount.withValue(4) { try run() }
    for i in one.indices {
      #expect(one[i].map(\.bitPattern) == two[i].map(\.bitPattern), "output \(i) differs between 1 and 2 threads")
      #expect(one[i].map(\.bitPattern) == four[i].map(\.bitPattern), "output \(i) differs between 1 and 4 threads")
    }
  }
}

import Foundation

/// End to end: a second-order gradient through large products is bitwise identical with 1 and 2
/// threads.
@Suite struct ThreadDeterminismTests {
  @Test func secondOrderGradientIndependentOfThreads() throws {
    let w = randomTensor([256, 256], seed: 11, dtype: .float32)
    let x = randomTensor([300, 256], seed: 12, dtype: .float32)
    func run() throws -> [UInt32] {
      let v = w.variable()
      let loss = try x.matmul(v).tanh().square().mean()
      let g = try gradients(of: loss, wrt: [v], createGraph: true)[0]
      let gg = try gradients(of: g.square().sum(), wrt: [v])[0]
      return gg.toFloatArray().map(\.bitPattern)
    }
    let one = try Parallelism.$threadCount.withValue(1) { try run() }
    let two = try Parallelism.$threadCount.withValue(2) { try run() }
    #expect(one == two)
  }
}
