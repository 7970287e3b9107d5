import ArgumentParser
import Foundation
import HMTensor

/// `hmbench maml-sinusoid`: one MAML sinusoid meta-iteration (Finn et al. 2017: MLP
/// 1→40→40→1 ReLU, 25 tasks, K = 10 support + 10 query, one inner SGD step lr 0.01, outer Adam
/// 1e-3, float32) written with HMTensor — the sizes of `../shared/bench/jax_maml_sinusoid.py
/// bench` — timed per iteration, side by side with that script when `--jax-python` is given.
struct TensorMAMLSinusoidBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "maml-sinusoid", abstract: "MAML sinusoid meta-iteration time vs JAX.")

  @Option(help: "Timed iterations.") var iters = 500
  @Option(help: "Warm-up iterations.") var warmup = 50
  @Option(help: "Learning iterations for the sanity check (0 to skip).") var learn = 2000
  @Option(help: "Python of the JAX venv for the peer; empty to skip.") var jaxPython = ""
  @Option(help: "Path of jax_maml_sinusoid.py.") var jaxScript = "../shared/bench/jax_maml_sinusoid.py"
  @Flag(help: "First-order MAML only.") var firstOrderOnly = false

  func run() throws {
    HeapTuning.keepFreedMemoryForReuse()
    print("threads: \(Parallelism.threadCount)")
    var results: [String: Double] = [:]
    for firstOrder in firstOrderOnly ? [true] : [false, true] {
      let name = firstOrder ? "first_order" : "second_order"
      var bench = try MAMLSinusoid(seed: 0, firstOrder: firstOrder)
      for _ in 0..<warmup { _ = try bench.step() }
      var times: [Double] = []
      for _ in 0..<iters {
        let t0 = TensorBenchClock.now()
        _ = try bench.step()
        times.append(TensorBenchClock.now() - t0)
      }
      let med = TensorBenchClock.median(times)
      results[name] = med
      var line = String(format: "%@: %.3f ms/iter (median of %d, min %.3f)", name, med * 1e3, iters,
                        (times.min() ?? .nan) * 1e3)
      if learn > 0 {
        var fresh = try MAMLSinusoid(seed: 0, firstOrder: firstOrder)
        var losses: [Double] = []
        for _ in 0..<learn { losses.append(try fresh.step()) }
        let first = losses.prefix(100).reduce(0, +) / Double(Swift.min(100, losses.count))
        let last = losses.suffix(100).reduce(0, +) / Double(Swift.min(100, losses.count))
        line += String(format: "; meta-loss %.3f -> %.3f over %d iterations", first, last, learn)
      }
      print(line)
    }
    if !jaxPython.isEmpty {
      let out = try TensorBenchClock.run(jaxPython, [jaxScript, "bench", "--iters", "\(iters)", "--learn", "1"])
      let json = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any] ?? [:]
      for name in ["second_order", "first_order"] {
        guard let ours = results[name], let peer = (json[name] as? [String: Any])?["meta_iter_s_median"] as? Double else { continue }
        print(String(format: "%@: hmtensor %.3f ms, jax %.3f ms, ratio %.2f", name, ours * 1e3, peer * 1e3, ours / peer))
      }
    }
  }
}

/// The MAML sinusoid meta-learner, all tasks batched: θ is broadcast to a leading task axis so
/// one backward pass gives every task its own inner gradient.
struct MAMLSinusoid {
  static let hidden = 40, shots = 10, tasks = 25
  static let innerLearningRate = 0.01
  var parameters: ParameterList
  var optimizer = Adam(learningRate: 1e-3)
  var iteration: UInt64 = 0
  let seed: UInt64
  let firstOrder: Bool

  init(seed: UInt64, firstOrder: Bool) throws {
    self.seed = seed
    self.firstOrder = firstOrder
    var rng = RandomStream(seed: seed, stream: [0])
    let h = Self.hidden
    let sizes = [(1, h), (h, h), (h, 1)]
    var pairs: [(String, Tensor)] = []
    for (i, (a, b)) in sizes.enumerated() {
      pairs.append(("W\(i + 1)", try Initializer.normal(std: 0.01).tensor([a, b], using: &rng)))
      pairs.append(("b\(i + 1)", try Tensor.zeros([b])))
    }
    parameters = try ParameterList(pairs)
  }

  /// Σ over tasks of each task's MSE, for task-batched parameters `p` ([tasks, in, out] weights,
  /// [tasks, 1, out] biases). Every task has K points, so this is the sum of all squared errors
  /// divided by K: one reduction instead of a mean per task and a sum.
  static func summedTaskLosses(_ p: [Tensor], _ x: Tensor, _ y: Tensor) throws -> Tensor {
    var h = x
    for i in 0..<3 {
      h = try h.matmul(p[2 * i]) + p[2 * i + 1]
      if i < 2 { h = h.relu() }
    }
    return try (h - y).square().sum() * (1.0 / Double(x.shape[1]))
  }

  /// One meta-iteration; returns the meta-loss.
  mutating func step() throws -> Double {
    var rng = RandomStream(seed: seed, stream: [1, iteration])
    iteration += 1
    let m = Self.tasks, k = Self.shots
    let amp = try Tensor.uniform([m, 1, 1], low: 0.1, high: 5, using: &rng)
    let phase = try Tensor.uniform([m, 1, 1], low: 0, high: Double.pi, using: &rng)
    let x = try Tensor.uniform([m, 2 * k, 1], low: -5, high: 5, using: &rng)
    let y = try amp * (x - phase).sin()
    let xs = try x.slice(axis: 1, 0, k), ys = try y.slice(axis: 1, 0, k)
    let xq = try x.slice(axis: 1, k, nil), yq = try y.slice(axis: 1, k, nil)

    let theta = parameters.variables()
    let batched = try theta.tensors.map { t -> Tensor in
      let b = try t.unsqueezed(0)
      return try (t.rank == 1 ? b.unsqueezed(0) : b).broadcast(to: [m] + (t.rank == 1 ? [1] : []) + t.shape)
    }
    let inner = try Self.summedTaskLosses(batched, xs, ys)
    let g = try gradients(of: inner, wrt: batched, createGraph: !firstOrder)
    let adapted = try zip(batched, g).map { try $0 - Self.innerLearningRate * $1 }
    let meta = try Self.summedTaskLosses(adapted, xq, yq) * (1.0 / Double(m))
    let metaGrad = try gradients(of: meta, wrt: theta.tensors)
    parameters = try optimizer.step(parameters, gradients: metaGrad)
    return try meta.item()
  }
}
