import Foundation
import HMTensor
import HMTestSupport
import Testing

/// Forward values of construction, broadcasting, shape ops and reductions, and the IEEE edge
/// cases (±0, ±inf, NaN, empty tensors).
@Suite struct TensorCoreTests {
  func t(_ v: [Double], _ s: [Int], _ d: DType = .float64) throws -> Tensor { try Tensor(v, shape: s, dtype: d) }

  @Test func construction() throws {
    let a = try t([1, 2, 3, 4, 5, 6], [2, 3])
    #expect(a.shape == [2, 3] && a.rank == 2 && a.count == 6 && a.dtype == .float64)
    #expect(try a.element(at: [1, -1]) == 6)
    #expect(Tensor(scalar: 2.5).shape == [])
    #expect(Tensor(scalar: 2.5).scalar == 2.5)
    #expect(Tensor(scalar: 1).dtype == .float32)
    #expect(try Tensor.zeros([2, 0]).count == 0)
    #expect(try Tensor.ones([2]).toArray() == [1, 1])
    #expect(try Tensor.full([2], 7, dtype: .float64).toArray() == [7, 7])
    #expect(try Tensor.arange(0, 1, step: 0.25, dtype: .float64).toArray() == [0, 0.25, 0.5, 0.75])
    #expect(try Tensor.arange(5, 0, step: -2).toArray() == [5, 3, 1])
    #expect(try Tensor.eye(2).toArray() == [1, 0, 0, 1])
    #expect(try Tensor([Float(1), 2], shape: [2]).dtype == .float32)
    #expect(try a.to(.float32).toFloatArray() == [1, 2, 3, 4, 5, 6])
  }

  @Test func broadcastingValues() throws {
    let a = try t([1, 2, 3], [3, 1]), b = try t([10, 20], [2])
    #expect(try (a + b).shape == [3, 2])
    #expect(try (a + b).toArray() == [11, 21, 12, 22, 13, 23])
    #expect(try (a * b).toArray() == [10, 20, 20, 40, 30, 60])
    #expect(try (b - a).toArray() == [9, 19, 8, 18, 7, 17])
    #expect((10 / b).toArray() == [1, 0.5])
    #expect((-b).toArray() == [-10, -20])
    #expect(try (Tensor(scalar: 2, dtype: .float64) * a).toArray() == [2, 4, 6])
    // Mixed dtypes promote to float64.
    #expect(try (a.to(.float32) + b).dtype == .float64)
    #expect(try t([2, 3], [2]).pow(t([3, 2], [2])).toArray() == [8, 9])
    #expect(try t([1, 5], [2]).maximum(t([3, 2], [2])).toArray() == [3, 5])
  }

  @Test func comparisons() throws {
    let a = try t([1, 2, 3], [3]), b = try t([2, 2, 2], [3])
    #expect(try a.less(b).toArray() == [1, 0, 0])
    #expect(try a.lessEqual(b).toArray() == [1, 1, 0])
    #expect(try a.greater(b).toArray() == [0, 0, 1])
    #expect(try a.greaterEqual(b).toArray() == [0, 1, 1])
    #expect(try a.equal(b).toArray() == [0, 1, 0])
    #expect(try a.variable().greater(b).requiresGrad == false)
    #expect(try t([.nan], [1]).equal(t([.nan], [1])).toArray() == [0])
  }

  @Test func mathValues() throws {
    let x = try t([-1, 0, 2], [3])
    expectClose(x.exp().toArray(), [Foundation.exp(-1), 1, Foundation.exp(2)], rtol: 1e-15)
    #expect(x.relu().toArray() == [0, 0, 2])
    #expect(x.abs().toArray() == [1, 0, 2])
    #expect(try x.clamp(min: -0.5, max: 1).toArray() == [-0.5, 0, 1])
    expectClose(x.sigmoid().toArray(), [1 / (1 + Foundation.exp(1)), 0.5, 1 / (1 + Foundation.exp(-2))], rtol: 1e-15)
    expectClose(x.softplus().toArray(), [Foundation.log1p(Foundation.exp(-1)), Foundation.log(2), 2 + Foundation.log1p(Foundation.exp(-2))], rtol: 1e-15)
    #expect(try Tensor.where(x.greater(0), x, t([9], [1])).toArray() == [9, 9, 2])
    // Large inputs stay finite where the math is finite.
    let big = try t([-1000, 1000], [2])
    #expect(big.sigmoid().toArray() == [0, 1])
    #expect(big.softplus().toArray() == [0, 1000])
    #expect(try big.logSoftmax().toArray() == [-2000, 0])
  }

  @Test func ieeeEdgeCases() throws {
    let x = try t([0, -0.0, .infinity, -.infinity, .nan], [5])
    let l = x.log().toArray()
    #expect(l[0] == -.infinity && l[1] == -.infinity && l[2] == .infinity && l[3].isNaN && l[4].isNaN)
    let s = x.sqrt().toArray()
    #expect(s[1] == 0 && s[1].sign == .minus && s[2] == .infinity && s[3].isNaN)
    #expect(x.relu().toArray()[4].isNaN)
    #expect(try x.clamp(min: -1, max: 1).toArray()[4].isNaN)
    #expect(try x.max().item().isNaN)
    #expect(try x.sum().item().isNaN)
    #expect(try t([1, .infinity], [2]).sum().item() == .infinity)
    #expect((1 / x).toArray()[1] == -.infinity)
    #expect(x.tanh().toArray()[2] == 1)
    #expect(try t([-.infinity, -.infinity], [2]).logsumexp().item() == -.infinity)
    #expect(try t([.infinity, 0], [2]).logsumexp().item() == .infinity)
    // where() never lets the unselected branch leak NaN into the gradient.
    let v = try t([-1, 2], [2]).variable()
    let y = try Tensor.where(v.greater(0), v.log(), Tensor(scalar: 0, dtype: .float64)).sum()
    #expect(try gradients(of: y, wrt: [v])[0].toArray() == [0, 0.5])
  }

  @Test func emptyTensors() throws {
    let e = try Tensor.zeros([0, 3], dtype: .float64)
    #expect(try e.sum().item() == 0)
    #expect(try e.sum(axis: 0).toArray() == [0, 0, 0])
    #expect(try e.sum(axis: 1).shape == [0])
    #expect(try e.mean().item().isNaN)
    #expect(try e.logsumexp().item() == -.infinity)
    #expect(try (e + t([1, 2, 3], [3])).shape == [0, 3])
    #expect(e.exp().shape == [0, 3])
    #expect(try e.matmul(Tensor.ones([3, 2], dtype: .float64)).shape == [0, 2])
    #expect(try Tensor.zeros([2, 0]).matmul(Tensor.zeros([0, 2])).toArray() == [0, 0, 0, 0])
    #expect(try e.transposed().shape == [3, 0])
    #expect(try Tensor.concat([e, e]).shape == [0, 3])
    #expect(try e.slice([SliceSpec(1, 5)]).shape == [0, 3])
    #expect(try e.reshaped([-1, 3]).shape == [0, 3])
    expectTensorError(.invalidShape, mentions: ["max"]) { try e.max(axis: 0) }
  }

  @Test func shapeOpsValues() throws {
    let a = try t(Array(0..<24).map(Double.init), [2, 3, 4])
    #expect(try a.reshaped([4, -1]).shape == [4, 6])
    #expect(try a.permuted([2, 0, 1]).element(at: [3, 1, 2]) == a.element(at: [1, 2, 3]))
    #expect(try a.transposed().shape == [2, 4, 3])
    #expect(try a.slice([SliceSpec(1), SliceSpec(nil, nil, step: -1), SliceSpec(1, 3)]).toArray() == [21, 22, 17, 18, 13, 14])
    #expect(try a.slice(axis: 2, -1, nil).toArray() == [3, 7, 11, 15, 19, 23])
    #expect(try a.slice(axis: 2, nil, nil, step: -3).toArray() == [3, 0, 7, 4, 11, 8, 15, 12, 19, 16, 23, 20])
    #expect(try a.slice(axis: 1, 5, 9).shape == [2, 0, 4])
    #expect(try a[1].shape == [3, 4])
    #expect(try a[-1].index(0).toArray() == [12, 13, 14, 15])
    #expect(try a.index(2, axis: -1).toArray() == [2, 6, 10, 14, 18, 22])
    let c = try Tensor.concat([t([1, 2], [1, 2]), t([3, 4, 5, 6], [2, 2])], axis: 0)
    #expect(c.shape == [3, 2] && c.toArray() == [1, 2, 3, 4, 5, 6])
    let s = try Tensor.stack([t([1, 2], [2]), t([3, 4], [2])], axis: 1)
    #expect(s.shape == [2, 2] && s.toArray() == [1, 3, 2, 4])
    #expect(try t([1, 2], [2, 1]).broadcast(to: [2, 3]).toArray() == [1, 1, 1, 2, 2, 2])
    #expect(try a.unsqueezed(-1).shape == [2, 3, 4, 1])
  }

  @Test func reductionValues() throws {
    let a = try t([1, 2, 3, 4, 5, 6], [2, 3])
    #expect(try a.sum().item() == 21)
    #expect(try a.sum(axis: 0).toArray() == [5, 7, 9])
    #expect(try a.sum(axis: -1, keepdims: true).shape == [2, 1])
    #expect(try a.mean(axis: 1).toArray() == [2, 5])
    #expect(try a.max(axis: 0).toArray() == [4, 5, 6])
    #expect(try a.min().item() == 1)
    expectClose(try a.logsumexp(axis: 1).toArray(),
                [Foundation.log(Foundation.exp(1) + Foundation.exp(2) + Foundation.exp(3)),
                 Foundation.log(Foundation.exp(4) + Foundation.exp(5) + Foundation.exp(6))], rtol: 1e-14)
    let sm = try a.softmax(axis: 1)
    expectClose(try sm.sum(axis: 1).toArray(), [1, 1], rtol: 1e-14)
    expectClose(try a.logSoftmax().exp().toArray(), sm.toArray(), rtol: 1e-14)
    // Ties share the max gradient.
    let v = try t([1, 3, 3], [3]).variable()
    #expect(try gradients(of: v.max(), wrt: [v])[0].toArray() == [0, 0.5, 0.5])
  }

  @Test func gatherAndOneHot() throws {
    let x = try t([1, 2, 3, 4, 5, 6], [2, 3])
    let g = try x.gather(axis: 1, indices: t([2, 0], [2, 1]))
    #expect(g.shape == [2, 1] && g.toArray() == [3, 4])
    #expect(try x.gather(axis: 1, indices: t([-1, 0], [2, 1])).toArray() == [3, 4])
    let oh = try Tensor.oneHot(t([1, 0, 2], [3]), depth: 3)
    #expect(oh.shape == [3, 3] && oh.toArray() == [0, 1, 0, 1, 0, 0, 0, 0, 1])
  }

  @Test func descriptionLooksLikeNumpy() throws {
    #expect(try t([1, 2, 3, 4], [2, 2]).description == "[[1, 2],\n [3, 4]]")
    #expect(try t([0.5, .nan, -.infinity], [3]).description == "[0.5, nan, -inf]")
    let big = try Tensor.zeros([2000])
    #expect(big.description.contains("..."))
  }
}
