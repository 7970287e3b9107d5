import ArgumentParser
import Foundation
import HMRL
import HMTensor

/// `hmbench maml-nav`: one MAML meta-iteration on canonical 2D navigation at the sizes of
/// `../shared/bench/jax_maml_nav.py` (policy 2→100→100→2 tanh Gaussian, float32; 20 tasks ×
/// (20 adaptation + 20 evaluation) episodes × 100 steps; one inner REINFORCE step, α 0.1;
/// outer Adam 1e-3), second and first order, side by side with that script when
/// `--jax-python` is given.
///
/// The headline figure is the median `wallTime` of `maml()`'s records after `--warmup`
/// iterations (the library's own loop, tasks drawn from `Navigation2DFamily.canonical()` with
/// the run's seed and n). The breakdown re-runs the same steps one by one with a clock around
/// each (medians over the same iterations):
///
/// - sample adaptation: `sampleBatches` of the 20 × 20 adaptation episodes with θ;
/// - advantages: the baseline fits, GAE and normalisation of both batches (`PolicyGradientData`);
/// - inner gradient: θᵢ′ = θ − α ∇L(θ, Dᵢ) as a function of θ (`createGraph` unless first
///   order), computed once: the evaluation episodes use its values, the meta-gradient its graph;
/// - sample evaluation: `sampleBatches` of the 20 × 20 evaluation episodes with θᵢ′;
/// - outer loss + meta-gradient: each task's surrogate L(θᵢ′(θ), Dᵢ′) and its gradient in θ,
///   summed over tasks in order;
/// - Adam: the outer step.
///
/// Peak RSS is `VmHWM` after the second-order runs (the first-order ones use less).
struct MAMLNavigationBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "maml-nav", abstract: "MAML meta-iteration on 2D navigation vs JAX (with the phase breakdown).")

  @Option(help: "Timed meta-iterations (the median is reported).") var iters = 10
  @Option(help: "Warm-up meta-iterations.") var warmup = 2
  @Option(help: "Python of the JAX venv for the peer; empty to skip.") var jaxPython = ""
  @Option(help: "Path of jax_maml_nav.py.") var jaxScript = "../shared/bench/jax_maml_nav.py"
  @Flag(help: "Skip the phase breakdown.") var noBreakdown = false

  func run() throws {
    HeapTuning.keepFreedMemoryForReuse()
    guard iters >= 1, warmup >= 0 else { throw ValidationError("--iters must be ≥ 1 and --warmup ≥ 0") }
    print("maml-nav: 2D navigation, 20 tasks × (20 + 20) episodes × 100 steps, policy 2→100→100→2 tanh Gaussian, float32, one inner step α 0.1, outer Adam 1e-3; \(Parallelism.defaultThreadCount) thread(s); median of \(iters) after \(warmup) warm-up")
    var ours: [String: Double] = [:]
    var peak = 0.0
    for firstOrder in [false, true] {
      let name = firstOrder ? "first order" : "second order"
      let bench = try MAMLNavigation(firstOrder: firstOrder)
      let records = try bench.trainingRecords(iterations: warmup + iters)
      let wall = TensorBenchClock.median(records.dropFirst(warmup).map(\.wallTime))
      ours[name] = wall
      let last = records[records.count - 1]
      print(String(format: "%@: %.3f s / meta-iteration (min %.3f); last pre → post return %.1f → %.1f",
                   name, wall, records.dropFirst(warmup).map(\.wallTime).min() ?? .nan,
                   last.meanReturn, last.adaptedReturn ?? .nan))
      if !noBreakdown {
        var phases: [MAMLNavigation.Phase: [Double]] = [:]
        for n in 0..<(warmup + iters) {
          let p = try bench.timedIteration(n)
          if n >= warmup { for (k, v) in p { phases[k, default: []].append(v) } }
        }
        let total = MAMLNavigation.Phase.allCases.map { TensorBenchClock.median(phases[$0] ?? []) }.reduce(0, +)
        for phase in MAMLNavigation.Phase.allCases {
          let t = TensorBenchClock.median(phases[phase] ?? [])
          print("  " + phase.rawValue.padding(toLength: 24, withPad: " ", startingAt: 0)
                + String(format: "%7.1f ms (%4.1f%%)", t * 1e3, 100 * t / total))
        }
        print("  " + "sum of phases".padding(toLength: 24, withPad: " ", startingAt: 0) + String(format: "%7.1f ms", total * 1e3))
      }
      if !firstOrder {
        peak = try Algorithm1Measurement.residentMiB("VmHWM")
        print(String(format: "peak RSS after second order: %.0f MiB", peak))
      }
    }
    guard !jaxPython.isEmpty else {
      print("jax peer: skipped (no --jax-python); reference on this machine kind: 0.204 s second order, 0.123 s first order, 789 MiB")
      for (name, ref) in [("second order", 0.204), ("first order", 0.123)] {
        if let t = ours[name] { print(String(format: "ratio vs reference %@: %.2f", name, t / ref)) }
      }
      return
    }
    for (name, flags) in [("second order", [String]()), ("first order", ["--first-order"])] {
      let out = try TensorBenchClock.run(jaxPython, [jaxScript, "--learn-iters", "0", "--timing-iters", "\(iters)"] + flags)
      guard let start = out.firstIndex(of: "{"), let end = out.lastIndex(of: "}"),
            let json = try JSONSerialization.jsonObject(with: Data(out[start...end].utf8)) as? [String: Any],
            let peer = json["meta_iter_s_median"] as? Double else {
        throw ValidationError("could not read meta_iter_s_median from the JAX script's output")
      }
      let rss = json["peak_rss_mib"] as? Double ?? .nan
      print(String(format: "jax %@: %.3f s, peak RSS %.0f MiB; ratio (ours / jax) %.2f, memory ratio %.2f",
                   name, peer, rss, (ours[name] ?? .nan) / peer, peak / rss))
    }
  }
}

/// The benchmark's MAML setting and its instrumented meta-iteration.
struct MAMLNavigation {
  enum Phase: String, CaseIterable {
    case sampleAdaptation = "sample adaptation"
    case advantages = "advantages"
    case innerGradient = "inner gradient (graph)"
    case sampleEvaluation = "sample evaluation"
    case metaGradient = "outer loss + meta-grad"
    case adam = "Adam"
  }

  let policy: GaussianMLPPolicy
  let theta: ParameterList
  let family: Navigation2DFamily
  var configuration = MAMLConfiguration()

  init(firstOrder: Bool) throws {
    policy = try GaussianMLPPolicy(observationSize: 2, actionSize: 2, hidden: [100, 100])
    var rng = RandomStream(seed: 0, stream: [0])
    theta = try policy.initialParameters(using: &rng)
    family = try Navigation2DFamily.canonical()
    configuration.outerOptimizer = .adam
    configuration.firstOrder = firstOrder
  }

  func tasks(_ n: Int) throws -> [Navigation2D] {
    try family.tasks(count: configuration.metaBatchSize, seed: configuration.seed, iteration: n)
  }

  /// `maml()` for `iterations` meta-iterations from θ; its records hold each one's wall time.
  func trainingRecords(iterations: Int) throws -> [IterationRecord] {
    var c = configuration
    c.iterations = iterations
    return try maml(policy: policy, initialParameters: theta, configuration: c) { try tasks($0) }.records
  }

  /// Meta-iteration n of `maml()`'s Adam branch (from θ, K = 1), step by step as `maml()` runs
  /// it (tasks over threads with `concurrentMap`), with the seconds of each phase.
  func timedIteration(_ n: Int) throws -> [Phase: Double] {
    let c = configuration
    var out: [Phase: Double] = [:]
    func timed<T>(_ phase: Phase, _ body: () throws -> T) rethrows -> T {
      let t0 = TensorBenchClock.now()
      let r = try body()
      out[phase, default: 0] += TensorBenchClock.now() - t0
      return r
    }
    let envs = try tasks(n), count = envs.count
    let variables = theta.variables()
    let adaptationBatches = try timed(.sampleAdaptation) {
      try sampleBatches(envs, policy: policy, parameters: [theta], episodes: c.adaptationEpisodes, seed: c.seed, iteration: 2 * n)
    }
    let adaptationData = try timed(.advantages) {
      try concurrentMap(count) { try PolicyGradientData(batch: adaptationBatches[$0], discount: c.discount, lambda: c.gaeLambda, normalize: c.normalizeAdvantages) }
    }
    let adapted = try timed(.innerGradient) {
      try concurrentMap(count) { try adapt(policy, parameters: variables, data: [adaptationData[$0]], innerLearningRate: c.innerLearningRate, secondOrder: !c.firstOrder) }
    }
    let evaluationBatches = try timed(.sampleEvaluation) {
      try sampleBatches(envs, policy: policy, parameters: adapted, episodes: c.evaluationEpisodes, seed: c.seed, iteration: 2 * n + 1)
    }
    let evaluationData = try timed(.advantages) {
      try concurrentMap(count) { try PolicyGradientData(batch: evaluationBatches[$0], discount: c.discount, lambda: c.gaeLambda, normalize: c.normalizeAdvantages) }
    }
    let g = try timed(.metaGradient) {
      let perTask = try concurrentMap(count) { i in
        try gradients(of: try surrogateLoss(policy, parameters: adapted[i], data: evaluationData[i]) / Double(count), wrt: variables.tensors)
      }
      return try perTask.dropFirst().reduce(perTask[0]) { acc, t in try zip(acc, t).map { try $0 + $1 } }
    }
    var adam = Adam(learningRate: c.outerLearningRate)
    _ = try timed(.adam) { try adam.step(theta, gradients: g) }
    return out
  }
}
