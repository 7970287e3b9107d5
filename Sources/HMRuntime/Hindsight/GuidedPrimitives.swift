import HMRL
import HMTensor
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Guided training in hm: `guided_train(...)`, policy gradient on a new task mixed with
/// relabelled, importance-weighted buffer trajectories of similar tasks (the note's §II).
enum GuidedPrimitives {
  /// The score of a buffer entry: how alike its task is to T.
  static func score(mode: GuidanceMode, _ c: NativeCall, environment: Environment,
                    buffer: TrajectoryBuffer) throws -> ((TrajectoryBuffer.Entry) throws -> Double)? {
    if c.isGiven(6) {
      let scores = try c[6].listObject.items.map { v -> Double in
        guard v.isNumber else { throw c.error("scores must be numbers (one per task index of the buffer)") }
        return v.number
      }
      return { e in
        guard e.taskIndex >= 0, e.taskIndex < scores.count else {
          throw RLError(.outOfRange, "guided_train", "a buffer entry has task index \(e.taskIndex), scores has \(scores.count) entries")
        }
        return scores[e.taskIndex]
      }
    }
    guard mode == .siamese else {
      if mode == .oracle { throw c.error("mode \"oracle\" needs scores: one per task index (e.g. minus the true divergence)") }
      return nil
    }
    guard c.isGiven(5), c[5].tag == .object, let f = (c[5].nativeObject.payload as? SiameseBox)?.network else {
      throw c.error("mode \"siamese\" needs siamese: a trained net (or scores:)")
    }
    switch f.configuration.encoder {
    case .features:
      let target = TaskDescription.features(environment.with { $0.features })
      return { e in try f.similarity(target, .features(e.features)) }
    case .transitions:
      // T is known through its own episodes; a buffer task through all its stored trajectories.
      guard c.isGiven(26) else { throw c.error("a transitions Siamese net needs experience: batches sampled on the task") }
      let target = try SiamesePrimitives.description(c[26], c)
      var byTask: [Int: [Trajectory]] = [:]
      for e in buffer.entries { byTask[e.taskIndex, default: []].append(e.trajectory) }
      var cache: [Int: Double] = [:]
      return { e in
        if let s = cache[e.taskIndex] { return s }
        let s = try f.similarity(target, try TaskDescription(transitionsOf: byTask[e.taskIndex] ?? [e.trajectory]))
        cache[e.taskIndex] = s
        return s
      }
    }
  }

  static func record(_ r: GuidedIterationRecord, _ vm: VM) -> Value {
    vm.heap.makeMap([
      ("iteration", Value(r.iteration)), ("return", Value(r.meanReturn)), ("successes", Value(r.successes)),
      ("episodes", Value(r.episodesSoFar)), ("buffer_trajectories", Value(r.bufferTrajectories)),
      ("ess", r.effectiveSampleSize.map { Value($0) } ?? .nil), ("mean_weight", r.meanImportanceWeight.map { Value($0) } ?? .nil),
      ("buffer_return", r.bufferReturn.map { Value($0) } ?? .nil),
      ("loss", Value(r.loss)), ("grad_norm", Value(r.gradientNorm)), ("seconds", Value(r.wallTime)),
    ])
  }

  static let all: [Primitive] = [
    Primitive("guided_train", [ParameterSpec("policy", .object("policy_model")),
                               ParameterSpec("env", .any, doc: "the new task T: a goal task, maze or navigation2d task"),
                               ParameterSpec("params", .map, doc: "θ to start from (a parameter record or a learner's result)"),
                               ParameterSpec("buffer", .optional(.object("buffer")), default: .nil, doc: "R (from hindsight(...)); nil: no buffer"),
                               ParameterSpec("mode", .string, default: .string("siamese"), doc: "\"none\", \"unfiltered\", \"siamese\" or \"oracle\""),
                               ParameterSpec("siamese", .optional(.object("siamese")), default: .nil, doc: "f_φ for mode \"siamese\""),
                               ParameterSpec("scores", .optional(.list), default: .nil, doc: "a similarity to T per task index of the buffer (required for \"oracle\"; overrides f_φ)"),
                               ParameterSpec("k", .int, default: .int(10), doc: "buffer trajectories per step"),
                               ParameterSpec("top_k", .int, default: .int(50), doc: "the pool: the top_k entries by score"),
                               ParameterSpec("threshold", .optional(.number), default: .nil, doc: "or: the entries scoring at least this"),
                               ParameterSpec("relabel", .bool, default: .bool(true), doc: "recompute the buffer trajectories' rewards under T (hindsight relabelling)"),
                               ParameterSpec("rho_bar", .number, default: .float(1), doc: "ρ̄, truncation of each step's ratio (inf: none)"),
                               ParameterSpec("c_bar", .number, default: .float(1), doc: "c̄, truncation of the ratios of earlier steps"),
                               ParameterSpec("self_normalize", .bool, default: .bool(true)),
                               ParameterSpec("lr", .number, default: .float(0.1)),
                               ParameterSpec("optimizer", .string, default: .string("sgd"), doc: "\"sgd\" or \"adam\""),
                               ParameterSpec("episodes", .int, default: .int(10), doc: "on-policy episodes per step"),
                               ParameterSpec("gamma", .number, default: .float(0.99)), ParameterSpec("lambda", .number, default: .float(1)),
                               ParameterSpec("success_return", .optional(.number), default: .nil, doc: "an episode succeeds when its return is at least this (default: when it ends by the task's rule)")]
                + LearnerPrimitives.runOptions(iterations: 50)
                + [ParameterSpec("experience", .optional(.any), default: .nil, doc: "batches sampled on T, for a transitions Siamese net"),
                   ParameterSpec("weighting", .string, default: .string("per_decision"), doc: "\"per_decision\" (the note's importance sampling), \"per_step\" (each step's own ratio) or \"none\" (buffer steps weigh 1)"),
                   ParameterSpec("weigh_advantages", .bool, default: .bool(true), doc: "the baseline fit and advantage normalisation weigh steps as the loss does"),
                   ParameterSpec("max_grad_norm", .optional(.number), default: .nil, doc: "clip each step's gradient to this global L2 norm (nil: no clipping)")],
              returns: "a record {params, log (return, successes, ess, mean_weight, buffer_return, loss, grad_norm, ...), first_success, pool, config, interrupted}", category: "hindsight",
              doc: """
                Trains θ on a new task T, each step mixing `episodes` on-policy episodes with k trajectories drawn from a pool of the buffer: all of it (\"unfiltered\"), the entries whose tasks f_φ judges closest to T (\"siamese\": top_k or threshold), or those closest by a given score (\"oracle\", e.g. minus the true policy divergence). Their rewards are recomputed under T (relabel) and they enter the REINFORCE loss with per-decision importance weights π_θ/π_behaviour computed in log space, truncated (ρ̄, c̄) and self-normalised (`weighting:` \"per_step\" keeps each step's own ratio only, \"none\" weighs buffer steps 1); the baseline fit and the advantage normalisation weigh the steps the same way; the log has the effective sample size. `first_success` counts on-policy episodes up to the first success. Mode \"none\" is plain VPG.
                """,
              example: HindsightPrimitives.example + "\nlet g = guided_train(pi, tasks[2], pi.init(), buffer: h.buffer, mode: \"siamese\", siamese: h.siamese, iterations: 2, episodes: 4, quiet: true)\nprint(len(g.log), g.pool >= 0)") { c in
      let model = try LearnerPrimitives.policyModel(c[0], c)
      let environment = try SamplingPrimitives.environment(c[1], c)
      let theta = try HindsightPrimitives.parameters(c[2], c, "guided_train")
      let o = try LearnerPrimitives.options(c, from: 20)
      guard let mode = GuidanceMode(rawValue: c.string(4)) else { throw c.error("mode must be \"none\", \"unfiltered\", \"siamese\" or \"oracle\"") }
      let buffer: TrajectoryBuffer
      if c.isGiven(3), c[3].tag == .object, let b = c[3].nativeObject.payload as? BufferBox { buffer = b.buffer } else {
        guard mode == .none else { throw c.error("mode \"\(mode.rawValue)\" needs a buffer") }
        buffer = try TrajectoryBuffer(capacity: 1)
      }
      var config = GuidedTrainingConfiguration()
      config.mode = mode; config.bufferTrajectories = c.int(7)
      config.selection = c.isGiven(9) ? .threshold(c.double(9)) : .topK(c.int(8))
      config.relabel = c.bool(10); config.rhoBar = c.double(11); config.cBar = c.double(12); config.selfNormalize = c.bool(13)
      config.learningRate = c.double(14)
      guard let optimizer = GradientOptimizerKind(rawValue: c.string(15)) else { throw c.error("optimizer must be \"sgd\" or \"adam\"") }
      config.optimizer = optimizer; config.episodes = c.int(16); config.discount = c.double(17); config.gaeLambda = c.double(18)
      config.successReturn = c.isGiven(19) ? c.double(19) : nil
      guard let weighting = ImportanceWeighting(rawValue: c.string(27)) else {
        throw c.error("weighting must be \"per_decision\", \"per_step\" or \"none\"")
      }
      config.weighting = weighting; config.weighAdvantages = c.bool(28)
      config.maxGradientNorm = c.isGiven(29) ? c.double(29) : nil
      config.iterations = o.iterations; config.seed = o.seed
      let score = try score(mode: mode, c, environment: environment, buffer: buffer)
      let observer = try LearnerPrimitives.Observer(label: "guided \(mode.rawValue)", options: o, vm: c.vm)
      let observe = { (r: GuidedIterationRecord, theta: ParameterList) -> Bool in
        observer.observe(iteration: r.iteration, record: r, metrics: [("return", r.meanReturn), ("ess", r.effectiveSampleSize ?? 0)]) { path in
          try Safetensors.save(theta, to: path, metadata: ["iteration": String(r.iteration + 1), "seed": String(o.seed)])
        }
      }
      let result: GuidedTrainingResult = try model.with { p in
        switch environment {
        case .navigation(let e):
          return try guidedTrain(policy: p, environment: e, initialParameters: theta, buffer: buffer, score: score,
                                 configuration: config, onIteration: observe)
        case .tabular(let e):
          return try guidedTrain(policy: p, environment: e, initialParameters: theta, buffer: buffer, score: score,
                                 configuration: config, onIteration: observe)
        case .user:
          throw c.error("needs a task that can relabel trajectories (goal task, maze or navigation2d), not a continuous_mdp")
        }
      }
      observer.reporter.finish()
      if let failure = observer.failure { throw c.error("\(failure)") }
      if let path = o.checkpoint {
        try Safetensors.save(result.parameters, to: path, metadata: ["iteration": String(result.records.count), "seed": String(o.seed)])
      }
      let vm = c.vm
      return vm.heap.makeMap([
        ("params", ParameterRecords.record(result.parameters, vm)), ("log", vm.heap.makeList(result.records.map { record($0, vm) })),
        ("first_success", result.firstSuccessEpisode.map { Value($0) } ?? .nil), ("pool", Value(result.poolSize)),
        ("config", try LearnerPrimitives.configurationRecord(result.configuration, vm)), ("interrupted", Value(observer.interrupted)),
      ])
    },
  ]
}
