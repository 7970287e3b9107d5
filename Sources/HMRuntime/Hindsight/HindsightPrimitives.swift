import HMRL
import HMTensor
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Algorithm 1 in hm: `hindsight(...)`, and the pair divergences it labels by.
enum HindsightPrimitives {
  /// Parameters given as a record of tensors, or as a learner's result (its `params`).
  static func parameters(_ v: Value, _ c: NativeCall, _ what: String) throws -> ParameterList {
    if v.tag == .map, let inner = try v.mapObject.get(c.vm.heap.makeString("params")), inner.tag == .map {
      return try ParameterRecords.list(inner, what)
    }
    return try ParameterRecords.list(v, what)
  }

  static func record(_ r: HindsightIterationRecord, _ vm: VM) -> Value {
    var fields: [(String, Value)] = [
      ("iteration", Value(r.iteration)), ("buffer_size", Value(r.bufferSize)), ("inserted", Value(r.inserted)),
      ("tasks_inserted", Value(r.tasksInserted)), ("pre_return", Value(r.meanReturn)), ("post_return", Value(r.adaptedReturn)),
      ("epsilon", Value(r.epsilon)), ("positive_rate", Value(r.positiveRate)),
      ("siamese_loss", r.siameseLoss.map { Value($0) } ?? .nil),
      ("training", SiamesePrimitives.diagnosticsRecord(r.training, vm)),
      ("held_out", r.heldOut.map { SiamesePrimitives.diagnosticsRecord($0, vm) } ?? .nil),
      ("one_shot", r.oneShotAccuracy.map { Value($0) } ?? .nil),
    ]
    fields += [("sampling_seconds", Value(r.samplingTime)), ("adaptation_seconds", Value(r.adaptationTime)),
               ("divergence_seconds", Value(r.divergenceTime)), ("siamese_seconds", Value(r.siameseTime)),
               ("seconds", Value(r.wallTime))]
    return vm.heap.makeMap(fields)
  }

  static let example = """
    let m = maze(\"\"\"
      #####
      #S..#
      #...#
      #####
      \"\"\", horizon: 8)
    let tasks = goal_tasks(m)
    let pi = categorical_mlp(tasks[0], hidden: [16])
    let h = hindsight(pi, tasks, pi.init(), iterations: 2, episodes: 4, delta: 0, siamese_steps: 10, quiet: true)
    """

  static let all: [Primitive] = [
    Primitive("hindsight", [ParameterSpec("policy", .object("policy_model")),
                            ParameterSpec("tasks", .list, doc: "T₁ … T_N: environments of one kind (goal tasks, mazes, navigation2d tasks, mdps)"),
                            ParameterSpec("params", .map, doc: "θ from MAML (line 1): a parameter record or maml's result"),
                            ParameterSpec("inner_lr", .number, default: .float(0.1), doc: "α of line 7"),
                            ParameterSpec("episodes", .int, default: .int(20), doc: "episodes of τ and of τ′ per task"),
                            ParameterSpec("delta", .number, default: .float(0), doc: "δ of line 9, in return units: τ′ enters R when −(its mean return) < δ"),
                            ParameterSpec("rule", .string, default: .string("policy_divergence"), doc: "line 12: \"policy_divergence\" (P of Def. 4) or \"sampled_states\" (the §II rule)"),
                            ParameterSpec("epsilon", .optional(.number), default: .nil, doc: "ε of line 12; default: the `epsilon_quantile` of each iteration's divergences"),
                            ParameterSpec("epsilon_quantile", .number, default: .float(0.3)),
                            ParameterSpec("siamese", .optional(.object("siamese")), default: .nil, doc: "f_φ to train (line 3); default: siamese(features) over the tasks' features"),
                            ParameterSpec("siamese_steps", .int, default: .int(100), doc: "Adam steps on φ per iteration (line 16)"),
                            ParameterSpec("held_out", .number, default: .float(0.25), doc: "fraction of tasks kept out of φ's training, for the diagnostics"),
                            ParameterSpec("one_shot_ways", .int, default: .int(5)),
                            ParameterSpec("states_per_task", .int, default: .int(64), doc: "steps per task P is estimated on"),
                            ParameterSpec("sampled_states", .int, default: .int(64), doc: "K of the §II rule"),
                            ParameterSpec("buffer", .optional(.object("buffer")), default: .nil, doc: "R to extend (line 2); default: a new buffer(capacity: 10000)"),
                            ParameterSpec("gamma", .number, default: .float(0.99)), ParameterSpec("lambda", .number, default: .float(1)),
                            ParameterSpec("min_episode_return", .optional(.number), default: .nil, doc: "nil: an admitted τ′ enters R whole (the note); a number: only its episodes with at least this return")]
                + LearnerPrimitives.runOptions(iterations: 10, checkpoint: "a path prefix: R is written to PREFIX.buffer.json and f_φ to PREFIX.siamese.safetensors every `checkpoint_every` iterations"),
              returns: "a record {buffer, siamese, log, divergences, pairs, held_out, adapted, experience, siamese_accuracy, siamese_auc, buffer_size, config, interrupted}",
              category: "hindsight",
              doc: """
                The note's Algorithm 1 (task metric training): from θ, for each iteration and each task Tᵢ sample τ with π_θ, adapt θ′ᵢ = θ − α∇L(π_θ, τ), sample τ′ with π_θ′ᵢ and put τ′ in R when L(π_θ′ᵢ, τ′) < δ; then label every pair of tasks by P(π_θ′ᵢ, π_θ′ⱼ) < ε (or the §II rule) and train f_φ on the pairs among the training tasks. The log has, per iteration, the buffer size, the label base rate, f_φ's accuracy/AUC on training and held-out pairs, one-shot retrieval and seconds per phase; `siamese_accuracy`/`siamese_auc` are the held-out curves (training pairs when nothing is held out). Ctrl-C stops after the current iteration.
                """,
              example: example + "\nprint(h.buffer.size >= 0, len(h.log))") { c in
      let model = try LearnerPrimitives.policyModel(c[0], c)
      let tasks = try SamplingPrimitives.TaskList(c[1], c)
      let theta = try parameters(c[2], c, "hindsight")
      let o = try LearnerPrimitives.options(c, from: 19)
      var config = HindsightConfiguration()
      config.innerLearningRate = c.double(3); config.episodes = c.int(4); config.delta = c.double(5)
      guard let rule = TaskPairRule(rawValue: c.string(6)) else { throw c.error("rule must be \"policy_divergence\" or \"sampled_states\"") }
      config.rule = rule
      config.epsilon = c.isGiven(7) ? c.double(7) : nil
      config.epsilonQuantile = c.double(8); config.siameseSteps = c.int(10); config.heldOutFraction = c.double(11)
      config.oneShotWays = c.int(12); config.statesPerTask = c.int(13); config.sampledStates = c.int(14)
      config.discount = c.double(16); config.gaeLambda = c.double(17)
      config.minimumEpisodeReturn = c.isGiven(18) ? c.double(18) : nil
      config.iterations = o.iterations; config.seed = o.seed
      let bufferBox = c.isGiven(15) ? (c[15].nativeObject.payload as? BufferBox) : BufferBox(try TrajectoryBuffer(capacity: 10_000))
      guard let bufferBox else { throw c.error("buffer must be a buffer") }
      let siameseBox: SiameseBox
      if c.isGiven(9), let s = c[9].nativeObject.payload as? SiameseBox {
        siameseBox = s
      } else {
        var sc = SiameseConfiguration(inputSize: tasks.features.first?.count ?? 0)
        sc.seed = o.seed
        siameseBox = SiameseBox(try SiameseNetwork(configuration: sc))
      }
      let observer = try LearnerPrimitives.Observer(label: "hindsight", options: o, vm: c.vm)
      let observe = { (r: HindsightIterationRecord, buffer: TrajectoryBuffer, siamese: SiameseNetwork) -> Bool in
        var metrics = [("R", Double(r.bufferSize)), ("post", r.adaptedReturn)]
        if let d = r.heldOut ?? Optional(r.training), d.auc.isFinite { metrics.append(("auc", d.auc)) }
        return observer.observe(iteration: r.iteration, record: r, metrics: metrics) { prefix in
          try buffer.save(to: prefix + ".buffer.json")
          try siamese.save(to: prefix + ".siamese.safetensors", metadata: ["iteration": String(r.iteration + 1), "seed": String(o.seed)])
        }
      }
      let result: HindsightResult = try LearnerPrimitives.withPolicy(model) { p in
        func run<E: EpisodicEnvironment>(_ envs: [E]) throws -> HindsightResult {
          try hindsight(policy: p, tasks: envs, metaParameters: theta, buffer: bufferBox.buffer, siamese: siameseBox.network,
                        configuration: config, onIteration: observe)
        }
        switch tasks {
        case .navigation(let t): return try run(t)
        case .tabular(let t): return try run(t)
        case .user(let t): return try run(t)
        }
      }
      observer.reporter.finish()
      if let failure = observer.failure { throw c.error("\(failure)") }
      bufferBox.buffer = result.buffer
      siameseBox.network = result.siamese
      if let prefix = o.checkpoint {
        try result.buffer.save(to: prefix + ".buffer.json")
        try result.siamese.save(to: prefix + ".siamese.safetensors", metadata: ["iteration": String(result.records.count), "seed": String(o.seed)])
      }
      let vm = c.vm
      let curve = { (f: (HindsightIterationRecord) -> Double) in vm.heap.makeList(result.records.map { Value(f($0)) }) }
      return vm.heap.makeMap([
        ("buffer", vm.heap.makeObject(bufferBox)), ("siamese", vm.heap.makeObject(siameseBox)),
        ("log", vm.heap.makeList(result.records.map { record($0, vm) })),
        ("divergences", RLValues.matrix(result.divergences, vm)),
        ("pairs", SiamesePrimitives.pairRecords(result.pairs, vm)),
        ("held_out", vm.heap.makeList(result.heldOutTasks.map { Value($0) })),
        ("adapted", vm.heap.makeList(result.adaptedParameters.map { ParameterRecords.record($0, vm) })),
        ("experience", vm.heap.makeList(result.experience.map { vm.heap.makeObject(BatchBox($0)) })),
        ("siamese_accuracy", curve { ($0.heldOut ?? $0.training).accuracy }),
        ("siamese_auc", curve { ($0.heldOut ?? $0.training).auc }),
        ("buffer_size", vm.heap.makeList(result.records.map { Value($0.bufferSize) })),
        ("config", try LearnerPrimitives.configurationRecord(result.configuration, vm)), ("interrupted", Value(observer.interrupted)),
      ])
    },
    Primitive("task_divergences", [ParameterSpec("policy", .object("policy_model")),
                                   ParameterSpec("params", .list, doc: "θ′₁ … θ′_N (parameter records)"),
                                   ParameterSpec("batches", .list, doc: "τ′₁ … τ′_N, sampled with them"),
                                   ParameterSpec("rule", .string, default: .string("policy_divergence")),
                                   ParameterSpec("states_per_task", .int, default: .int(64)),
                                   ParameterSpec("sampled_states", .int, default: .int(64)),
                                   ParameterSpec("seed", .optional(.int), default: .nil)],
              returns: "an N×N list of lists", category: "hindsight",
              doc: "The divergences Algorithm 1 labels pairs by, between policies of one family from their own episodes: P of Def. 4 (sum over each policy's visited states of √J, both ways) or the §II rule (mean √J over K states drawn from all visited states). Categorical policies use the exact J; Gaussian ones the note's closed-form bound ln(2/(1+e^(−S))).",
              example: "let pi = gaussian_mlp(2, 2, hidden: [8])\nlet a = pi.init(seed: 1)\nlet b = pi.init(seed: 2)\nlet T = navigation2d(goal: [0.3, 0.3])\nlet d = task_divergences(pi, [a, b], [sample(T, pi, a, episodes: 4), sample(T, pi, b, episodes: 4)])\nprint(d[0][0], d[0][1] > 0)") { c in
      let model = try LearnerPrimitives.policyModel(c[0], c)
      let thetas = try c[1].listObject.items.map { try parameters($0, c, "task_divergences") }
      let batches = try c[2].listObject.items.map { v -> Batch in
        guard v.tag == .object, let b = v.nativeObject.payload as? BatchBox else { throw c.error("batches must be a list of batches") }
        return b.batch
      }
      guard let rule = TaskPairRule(rawValue: c.string(3)) else { throw c.error("rule must be \"policy_divergence\" or \"sampled_states\"") }
      let seed = c.isGiven(6) ? UInt64(truncatingIfNeeded: c[6].int) : c.state.seed
      let d = try LearnerPrimitives.withPolicy(model) { p in
        try taskPairDivergences(policy: p, parameters: thetas, batches: batches, rule: rule, statesPerTask: c.int(4),
                                sampledStates: c.int(5), stream: RandomStream(seed: seed, stream: [(1 << 32) + 6]))
      }
      return RLValues.matrix(d, c.vm)
    },
  ]
}
