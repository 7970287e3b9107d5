import Foundation
import HMTensor
import HMTestSupport
import Testing

@Suite struct OptimizerTests {
  func params() throws -> ParameterList {
    try ParameterList([("w", Tensor([1, -2, 3], shape: [3], dtype: .float64)),
                       ("b", Tensor([0.5], shape: [1], dtype: .float64))])
  }

  @Test func parameterListFlattenRoundTrip() throws {
    let p = try params()
    #expect(p.names == ["w", "b"] && p.scalarCount == 4)
    let flat = try p.flattened()
    #expect(flat.toArray() == [1, -2, 3, 0.5])
    let back = try p.unflattened(flat)
    #expect(back["w"]?.toArray() == [1, -2, 3] && back["b"]?.shape == [1])
    expectTensorError(.shapeMismatch, mentions: ["unflatten", "[3]", "[4]"]) { try p.unflattened(Tensor.zeros([3])) }
    expectTensorError(.invalidArgument, mentions: ["repeated"]) {
      try ParameterList([("a", Tensor.zeros([1])), ("a", Tensor.zeros([1]))])
    }
    // unflatten is differentiable: gradient of Σ w² w.r.t. the flat vector.
    let v = flat.variable()
    let g = try gradients(of: p.unflattened(v)["w"]!.square().sum(), wrt: [v])[0]
    #expect(g.toArray() == [2, -4, 6, 0])
  }

  @Test func initializers() throws {
    var rng = RandomStream(seed: 1)
    let w = try Initializer.xavierUniform().tensor([40, 60], using: &rng)
    let a = (6.0 / 100).squareRoot()
    #expect(w.toArray().allSatisfy { Swift.abs($0) <= a })
    #expect(try w.abs().max().item() > 0.9 * a)
    #expect(try Initializer.zeros.tensor([3], using: &rng).toArray() == [0, 0, 0])
    let n = try Initializer.normal(mean: 2, std: 0.1).tensor([1000], dtype: .float64, using: &rng)
    #expect(Swift.abs(try n.mean().item() - 2) < 0.02)
  }

  @Test func sgdWithMomentum() throws {
    var opt = SGD(learningRate: 0.1, momentum: 0.9)
    let g = [try Tensor([1, 1, 1], shape: [3], dtype: .float64), try Tensor([2], shape: [1], dtype: .float64)]
    let p1 = try opt.step(try params(), gradients: g)
    expectClose(p1["w"]!.toArray(), [0.9, -2.1, 2.9], rtol: 1e-15)
    let p2 = try opt.step(p1, gradients: g)   // v = 0.9·1 + 1 = 1.9
    expectClose(p2["w"]!.toArray(), [0.71, -2.29, 2.71], rtol: 1e-14)
    expectTensorError(.shapeMismatch, mentions: ["sgd", "[3]", "[2]"]) {
      try opt.step(try params(), gradients: [Tensor.zeros([2]), Tensor.zeros([1])])
    }
  }

  @Test func adamMatchesFixture() throws {
    let url = TestSupport.fixturesDirectory().appendingPathComponent("maml_sinusoid_fixture.json")
    guard let data = FileManager.default.contents(atPath: url.path) else {
      Issue.record("fixture missing at \(url.path)")
      return
    }
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let theta = try MAMLSinusoidFixtureTests.paramList(json["params"])
    let names = MAMLSinusoidFixtureTests.names
    let p = try ParameterList(Array(zip(names, theta)))
    let adam = try #require(json["adam"] as? [String: Any])
    for (gradKey, afterKey) in [("meta_grad_second_order", "params_after_step_second_order"),
                                ("meta_grad_first_order", "params_after_step_first_order")] {
      var opt = Adam(learningRate: 1e-3)
      let g = try MAMLSinusoidFixtureTests.paramList(json[gradKey])
      let after = try opt.step(p, gradients: g)
      try MAMLSinusoidFixtureTests.expectParams(after.tensors, adam[afterKey], "adam \(afterKey)")
    }
  }

  @Test func gradientClipping() throws {
    let g = [try Tensor([3, 0], shape: [2], dtype: .float64), try Tensor([4], shape: [1], dtype: .float64)]
    let (c, norm) = try clipGradientNorm(g, maxNorm: 1)
    #expect(norm == 5)
    let cn = c.flatMap { $0.toArray() }.map { $0 * $0 }.reduce(0, +).squareRoot()
    #expect(Swift.abs(cn - 1) < 1e-6)
    #expect(try clipGradientNorm(g, maxNorm: 10).gradients[0].toArray() == [3, 0])
    expectTensorError(.invalidArgument) { try clipGradientNorm(g, maxNorm: 0) }
  }

  @Test func conjugateGradientSolvesSPDSystem() throws {
    let a = try Tensor([4, 1, 0, 1, 3, 1, 0, 1, 2], shape: [3, 3], dtype: .float64)
    let b = try Tensor([1, 2, 3], shape: [3], dtype: .float64)
    let x = try conjugateGradient({ try a.matmul($0.reshaped([3, 1])).reshaped([3]) }, b: b, iterations: 10)
    expectClose(try a.matmul(x.reshaped([3, 1])).toArray(), b.toArray(), rtol: 1e-9, atol: 1e-9)
    expectTensorError(.invalidArgument, mentions: ["positive definite"]) {
      try conjugateGradient({ -$0 }, b: b)
    }
    expectTensorError(.shapeMismatch) { try conjugateGradient({ _ in try Tensor.zeros([2]) }, b: b) }
  }

  /// CG on Hessian-vector products by double backprop (the TRPO pattern): solves H x = b for
  /// f(x) = Σ (x_i⁴/4 + x_i²) whose Hessian is diag(3x² + 2).
  @Test func conjugateGradientOnHessianVectorProducts() throws {
    let x0 = try Tensor([0.5, -1, 2], shape: [3], dtype: .float64).variable()
    let f = try (x0.pow(4) / 4 + x0.square()).sum()
    let b = try Tensor([1, 1, 1], shape: [3], dtype: .float64)
    let sol = try conjugateGradient({ v in try hessianVectorProduct(of: f, wrt: [x0], vector: [v])[0] }, b: b)
    expectClose(sol.toArray(), [1 / 2.75, 1 / 5.0, 1 / 14.0], rtol: 1e-9)
  }
}
