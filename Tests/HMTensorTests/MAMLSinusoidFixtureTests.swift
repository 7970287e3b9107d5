import Foundation
import HMTensor
import HMTestSupport
import Testing

/// The JAX float64 MAML sinusoid fixture (`../shared/fixtures/maml_sinusoid_fixture.json`),
/// reproduced with HMTensor's autodiff: losses, meta-loss, second- and first-order
/// meta-gradients, the two-inner-step variant and one Adam step, to 1e-9 relative.
@Suite struct MAMLSinusoidFixtureTests {
  static let names = ["W1", "b1", "W2", "b2", "W3", "b3"]

  struct Fixture {
    var json: [String: Any]
    var params: [Tensor]
    var tasks: [(xs: Tensor, ys: Tensor, xq: Tensor, yq: Tensor)]
    var innerLR: Double
  }

  static func load() throws -> Fixture? {
    let url = TestSupport.fixturesDirectory().appendingPathComponent("maml_sinusoid_fixture.json")
    guard let data = FileManager.default.contents(atPath: url.path) else {
      Issue.record("fixture missing at \(url.path)")
      return nil
    }
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let params = try paramList(json["params"])
    var tasks: [(Tensor, Tensor, Tensor, Tensor)] = []
    for t in try #require(json["tasks"] as? [[String: Any]]) {
      func col(_ k: String) throws -> Tensor {
        let v = try #require(t[k] as? [Double])
        return try Tensor(v, shape: [v.count, 1], dtype: .float64)
      }
      tasks.append((try col("x_support"), try col("y_support"), try col("x_query"), try col("y_query")))
    }
    return Fixture(json: json, params: params, tasks: tasks.map { (xs: $0.0, ys: $0.1, xq: $0.2, yq: $0.3) },
                   innerLR: try #require(json["inner_lr"] as? Double))
  }

  /// Parameters in fixture order from a `{"W1": [[...]], ...}` object.
  static func paramList(_ any: Any?) throws -> [Tensor] {
    let dict = try #require(any as? [String: Any])
    return try names.map { name in
      if let m = dict[name] as? [[Double]] {
        return try Tensor(m.flatMap { $0 }, shape: [m.count, m.first?.count ?? 0], dtype: .float64)
      }
      let v = try #require(dict[name] as? [Double])
      return try Tensor(v, shape: [v.count], dtype: .float64)
    }
  }

  static func forward(_ p: [Tensor], _ x: Tensor) throws -> Tensor {
    var h = x
    for i in 0..<3 {
      h = try h.matmul(p[2 * i]) + p[2 * i + 1]
      if i < 2 { h = h.relu() }
    }
    return h
  }

  static func mse(_ p: [Tensor], _ x: Tensor, _ y: Tensor) throws -> Tensor {
    try (forward(p, x) - y).square().mean()
  }

  static func adapt(_ p: [Tensor], _ x: Tensor, _ y: Tensor, lr: Double, steps: Int,
                    firstOrder: Bool) throws -> [Tensor] {
    var q = p
    for _ in 0..<steps {
      let g = try gradients(of: mse(q, x, y), wrt: q, createGraph: !firstOrder)
      q = try zip(q, g).map { try $0 - lr * $1 }
    }
    return q
  }

  static func metaLoss(_ fx: Fixture, _ p: [Tensor], steps: Int, firstOrder: Bool) throws -> Tensor {
    var total: Tensor? = nil
    for t in fx.tasks {
      let adapted = try adapt(p, t.xs, t.ys, lr: fx.innerLR, steps: steps, firstOrder: firstOrder)
      let l = try mse(adapted, t.xq, t.yq)
      total = try total.map { try $0 + l } ?? l
    }
    return try #require(total) / Double(fx.tasks.count)
  }

  static func expectParams(_ actual: [Tensor], _ expected: Any?, _ what: String,
                           sourceLocation: SourceLocation = #_sourceLocation) throws {
    let exp = try paramList(expected)
    for (i, (a, e)) in zip(actual, exp).enumerated() {
      expectClose(a, e, rtol: 1e-9, atol: 1e-12, "\(what) \(names[i])", sourceLocation: sourceLocation)
    }
  }

  @Test func perTaskLossesAndInnerStep() throws {
    guard let fx = try Self.load() else { return }
    let perTask = try #require(fx.json["per_task"] as? [[String: Any]])
    for (i, t) in fx.tasks.enumerated() {
      let ref = perTask[i]
      let p = fx.params.map { $0.variable() }
      let g = try gradients(of: Self.mse(p, t.xs, t.ys), wrt: p)
      try Self.expectParams(g, ref["inner_gradient"], "task \(i) inner gradient")
      let adapted = try Self.adapt(p, t.xs, t.ys, lr: fx.innerLR, steps: 1, firstOrder: true)
      try Self.expectParams(adapted, ref["adapted_params"], "task \(i) adapted params")
      let losses: [(String, Tensor)] = [
        ("support_loss_before", try Self.mse(p, t.xs, t.ys)),
        ("query_loss_before", try Self.mse(p, t.xq, t.yq)),
        ("support_loss_after", try Self.mse(adapted, t.xs, t.ys)),
        ("query_loss_after", try Self.mse(adapted, t.xq, t.yq)),
      ]
      for (key, value) in losses {
        expectClose([try value.item()], [try #require(ref[key] as? Double)], rtol: 1e-9, "task \(i) \(key)")
      }
      let second = try gradients(of: Self.mse(Self.adapt(p, t.xs, t.ys, lr: fx.innerLR, steps: 1, firstOrder: false),
                                              t.xq, t.yq), wrt: p)
      try Self.expectParams(second, ref["second_order_task_gradient"], "task \(i) second-order gradient")
    }
  }

  @Test func metaLossAndSecondOrderMetaGradient() throws {
    guard let fx = try Self.load() else { return }
    let p = fx.params.map { $0.variable() }
    let loss = try Self.metaLoss(fx, p, steps: 1, firstOrder: false)
    expectClose([try loss.item()], [try #require(fx.json["meta_loss"] as? Double)], rtol: 1e-9, "meta_loss")
    try Self.expectParams(try gradients(of: loss, wrt: p), fx.json["meta_grad_second_order"], "second-order meta-gradient")
  }

  @Test func firstOrderMetaGradient() throws {
    guard let fx = try Self.load() else { return }
    let p = fx.params.map { $0.variable() }
    let loss = try Self.metaLoss(fx, p, steps: 1, firstOrder: true)
    expectClose([try loss.item()], [try #require(fx.json["meta_loss"] as? Double)], rtol: 1e-9, "meta_loss (first order)")
    try Self.expectParams(try gradients(of: loss, wrt: p), fx.json["meta_grad_first_order"], "first-order meta-gradient")
  }

  @Test func twoInnerSteps() throws {
    guard let fx = try Self.load() else { return }
    let two = try #require(fx.json["two_inner_steps"] as? [String: Any])
    let p = fx.params.map { $0.variable() }
    let loss = try Self.metaLoss(fx, p, steps: 2, firstOrder: false)
    expectClose([try loss.item()], [try #require(two["meta_loss"] as? Double)], rtol: 1e-9, "two-step meta_loss")
    try Self.expectParams(try gradients(of: loss, wrt: p), two["meta_grad_second_order"], "two-step meta-gradient")
  }

  /// The same meta-gradient with all tasks batched through one batched matmul per layer.
  @Test func batchedTasksMatchFixture() throws {
    guard let fx = try Self.load() else { return }
    let xs = try Tensor.stack(fx.tasks.map(\.xs)), ys = try Tensor.stack(fx.tasks.map(\.ys))
    let xq = try Tensor.stack(fx.tasks.map(\.xq)), yq = try Tensor.stack(fx.tasks.map(\.yq))
    let p = fx.params.map { $0.variable() }
    // Per-task MSE, for parameters with a leading task axis.
    func taskLosses(_ q: [Tensor], _ x: Tensor, _ y: Tensor) throws -> Tensor {
      try (Self.forward(q, x) - y).square().mean(axes: [1, 2])
    }
    // θ broadcast to a leading task axis ([tasks, in, out], biases [tasks, 1, out]); the gradient
    // of the summed task losses with respect to these broadcast tensors gives every task its own
    // inner gradient in one backward pass (the benchmark's method).
    let n = fx.tasks.count
    let batched = try p.map { t -> Tensor in
      let lead = t.rank == 1 ? try t.unsqueezed(0).unsqueezed(0) : try t.unsqueezed(0)
      return try lead.broadcast(to: [n] + (t.rank == 1 ? [1] : []) + t.shape)
    }
    let g = try gradients(of: taskLosses(batched, xs, ys).sum(), wrt: batched, createGraph: true)
    let theta = try zip(batched, g).map { try $0 - fx.innerLR * $1 }
    let meta = try taskLosses(theta, xq, yq).mean()
    expectClose([try meta.item()], [try #require(fx.json["meta_loss"] as? Double)], rtol: 1e-9, "batched meta_loss")
    try Self.expectParams(try gradients(of: meta, wrt: p), fx.json["meta_grad_second_order"], "batched meta-gradient")
  }

  /// Failure twin: a slightly wrong inner learning rate must be detected at this tolerance.
  @Test func wrongInnerLearningRateIsDetected() throws {
    guard var fx = try Self.load() else { return }
    fx.innerLR *= 1.001
    let loss = try Self.metaLoss(fx, fx.params.map { $0.variable() }, steps: 1, firstOrder: false)
    let expected = try #require(fx.json["meta_loss"] as? Double)
    #expect(!isClose(try loss.item(), expected, rtol: 1e-9, atol: 0))
  }
}
