import HMPlot
import HMRL
import HMTensor
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The learners in hm: vpg, npg, trpo, maml, adapt. Long runs show a progress bar on a
/// terminal, stop on Ctrl-C returning what was learned so far, append every iteration to a
/// JSON-lines log and write safetensors checkpoints (atomically).
enum LearnerPrimitives {
  /// Options every learner takes: the run options, and `resume` (always last).
  static let common: [ParameterSpec] = runOptions(
    iterations: 100,
    checkpoint: "a learner-state file (safetensors: θ, the iterations done, Adam's moments) rewritten atomically every `checkpoint_every` iterations and at the end; `resume:` continues from it")
    + [ParameterSpec("resume", .optional(.string), default: .nil,
                     doc: "a checkpoint file to continue from: the run goes on to `iterations` in all, exactly as if it had not stopped (same learner and seed required)")]

  /// The state in the checkpoint file given as `resume:` (argument `index`), checked against the
  /// learner and seed of this run.
  static func resumeState(_ c: NativeCall, at index: Int, learner: String, seed: UInt64) throws -> LearnerState? {
    guard c.isGiven(index), let path = c[index].string else { return nil }
    let (state, metadata) = try LearnerState.load(from: path)
    if let writer = metadata["learner"], writer != learner {
      throw c.error("\(path) is a checkpoint of \(writer), not of \(learner)")
    }
    if let written = metadata["seed"], written != String(seed) {
      throw c.error("\(path) was written with seed \(written); resume with seed: \(written) to continue that run")
    }
    return state
  }

  /// The options of a long run, `iterations` by default.
  static func runOptions(iterations: Int, checkpoint: String = "a safetensors file rewritten with θ every `checkpoint_every` iterations") -> [ParameterSpec] { [
    ParameterSpec("iterations", .int, default: .int(iterations)),
    ParameterSpec("seed", .optional(.int), default: .nil, doc: "default: the run's seed"),
    ParameterSpec("log", .optional(.string), default: .nil, doc: "a JSON-lines file receiving one record per iteration (NaN and infinities as the strings \"nan\", \"inf\", \"-inf\")"),
    ParameterSpec("checkpoint", .optional(.string), default: .nil, doc: checkpoint),
    ParameterSpec("checkpoint_every", .int, default: .int(10)),
    ParameterSpec("quiet", .bool, default: .bool(false), doc: "no progress output"),
  ] }

  /// JSON has no NaN or infinity (a held-out AUC without both labels, ρ̄ = inf): logs and
  /// configurations write them as these strings rather than failing to encode.
  static let nonFiniteNumbers = JSONEncoder.NonConformingFloatEncodingStrategy.convertToString(
    positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")

  /// A run's configuration as an hm record, with its non-finite numbers back as floats and its
  /// keys in snake_case like every other hm record (`inner_learning_rate`, not the Swift name).
  static func configurationRecord<C: Encodable>(_ configuration: C, _ vm: VM) throws -> Value {
    let encoder = JSONEncoder()
    encoder.nonConformingFloatEncodingStrategy = nonFiniteNumbers
    encoder.keyEncodingStrategy = .convertToSnakeCase
    let record = try FilePrimitives.parseJSON(String(decoding: try encoder.encode(configuration), as: UTF8.self), vm, "configuration")
    func restore(_ v: Value) throws -> Value {
      switch v.tag {
      case .map:
        let m = v.mapObject
        for (key, value) in m.entries { try m.set(key, try restore(value)) }
        return v
      case .string:
        switch v.string {
        case "nan": return Value(Double.nan)
        case "inf": return Value(Double.infinity)
        case "-inf": return Value(-Double.infinity)
        default: return v
        }
      default: return v
      }
    }
    return try restore(record)
  }

  struct RunOptions {
    var seed: UInt64
    var iterations: Int
    var log: String?
    var checkpoint: String?
    var checkpointEvery: Int
    var quiet: Bool
  }

  static func options(_ c: NativeCall, from first: Int) throws -> RunOptions {
    guard c.int(first) >= 1, c.int(first) <= 10_000_000 else { throw c.error("iterations must be at least 1") }
    return RunOptions(seed: c.isGiven(first + 1) ? UInt64(truncatingIfNeeded: c[first + 1].int) : c.state.seed,
                      iterations: c.int(first), log: c.isGiven(first + 2) ? c[first + 2].string : nil,
                      checkpoint: c.isGiven(first + 3) ? c[first + 3].string : nil,
                      checkpointEvery: max(1, c.int(first + 4)), quiet: c.bool(first + 5))
  }

  /// The per-iteration observer: progress, interrupts, log lines, checkpoints.
  final class Observer {
    let reporter: ProgressReporter
    let options: RunOptions
    var interrupted = false
    var failure: Error?
    let encoder: JSONEncoder = {
      let e = JSONEncoder()
      e.nonConformingFloatEncodingStrategy = LearnerPrimitives.nonFiniteNumbers
      return e
    }()
    /// The flag the VM polls (Ctrl-C): the learner stops after the current iteration.
    let interruptFlag: UnsafeMutablePointer<Int32>
    /// The learner's name, written into its checkpoints.
    let label: String
    /// The state after the last iteration observed (what the final checkpoint holds).
    var lastState: LearnerState?

    init(label: String, options: RunOptions, vm: VM) throws {
      self.options = options
      self.label = label
      interruptFlag = vm.interruptFlag
      reporter = ProgressReporter.standardError(quiet: options.quiet)
      reporter.start(total: options.iterations, label: label)
      if let log = options.log { try FilePrimitives.writeAtomically("", to: log) }
    }

    func observe(_ record: IterationRecord, _ state: LearnerState) -> Bool {
      var metrics = [("return", record.meanReturn)]
      if let post = record.adaptedReturn { metrics = [("pre", record.meanReturn), ("post", post)] }
      lastState = state
      return observe(iteration: record.iteration, record: record, metrics: metrics) { path in try self.save(state, to: path) }
    }

    /// Writes a learner's checkpoint, with the learner and seed that `resume:` checks.
    func save(_ state: LearnerState, to path: String) throws {
      try state.save(to: path, metadata: ["learner": label, "seed": String(options.seed), "writer": "hmaml"])
    }

    /// Reports iteration `iteration` (0-based): the progress line, one JSON line of `record` in
    /// the log, `checkpoint(path)` every `checkpoint_every` iterations. False stops the run
    /// (Ctrl-C, or a log or checkpoint that cannot be written: `failure` says why).
    func observe<R: Encodable>(iteration: Int, record: R, metrics: [(String, Double)],
                               checkpoint: (String) throws -> Void) -> Bool {
      reporter.update(done: iteration + 1, metrics: metrics)
      do {
        if let log = options.log {
          let line = try encoder.encode(record)
          let handle = fopen(log, "a")
          if let handle {
            _ = line.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, handle) }
            fputs("\n", handle)
            fclose(handle)
          }
        }
        if let path = options.checkpoint, (iteration + 1) % options.checkpointEvery == 0 { try checkpoint(path) }
      } catch {
        failure = error
        return false
      }
      if interruptFlag.pointee != 0 { interruptFlag.pointee = 0; interrupted = true; return false }
      return true
    }
  }

  /// The result record: θ, the per-iteration log, the configuration (with its seed).
  static func result<C: Encodable>(_ r: TrainingResult<C>, _ observer: Observer, _ c: NativeCall, extra: [(String, Value)] = []) throws -> Value {
    observer.reporter.finish()
    if let failure = observer.failure { throw c.error("\(failure)") }
    if let path = observer.options.checkpoint, let state = observer.lastState { try observer.save(state, to: path) }
    let vm = c.vm
    let log = r.records.map { record -> Value in
      var fields: [(String, Value)] = [("iteration", Value(record.iteration)), ("return", Value(record.meanReturn))]
      if let post = record.adaptedReturn { fields = [("iteration", Value(record.iteration)), ("pre_return", Value(record.meanReturn)), ("post_return", Value(post))] }
      fields.append(("loss", Value(record.loss)))
      if let kl = record.klDivergence { fields.append(("kl", Value(kl))) }
      if let steps = record.lineSearchSteps { fields.append(("line_search_steps", Value(steps))) }
      fields.append(("accepted", Value(record.accepted)))
      fields.append(("seconds", Value(record.wallTime)))
      return vm.heap.makeMap(fields)
    }
    return vm.heap.makeMap([("params", ParameterRecords.record(r.parameters, vm)), ("log", vm.heap.makeList(log)),
                            ("config", try configurationRecord(r.configuration, vm)), ("interrupted", Value(observer.interrupted))] + extra)
  }

  static func policyModel(_ v: Value, _ c: NativeCall) throws -> PolicyModel {
    guard v.tag == .object, let box = v.nativeObject.payload as? PolicyModelBox else { throw c.error("policy must be a policy model") }
    return box.model
  }

  /// Runs `body` with the concrete policy type (the learners that need the KL, and Algorithm 1,
  /// which reads action distributions, require it).
  static func withPolicy<R>(_ model: PolicyModel, _ body: (any KLDivergencePolicy & DistributionalPolicy) throws -> R) rethrows -> R {
    switch model {
    case .gaussian(let p): return try body(p)
    case .categorical(let p): return try body(p)
    case .softmax(let p): return try body(p)
    }
  }

  static let all: [Primitive] = [
    Primitive("vpg", [ParameterSpec("policy", .object("policy_model")), ParameterSpec("env", .any), ParameterSpec("params", .map),
                      ParameterSpec("lr", .number, default: .float(0.1)), ParameterSpec("optimizer", .string, default: .string("sgd"), doc: "\"sgd\" or \"adam\""),
                      ParameterSpec("episodes", .int, default: .int(20)), ParameterSpec("gamma", .number, default: .float(0.99)),
                      ParameterSpec("lambda", .number, default: .float(1))] + common,
              returns: "a record {params, log, config, interrupted}", category: "learners",
              doc: "REINFORCE / vanilla policy gradient on one task, with the linear feature baseline, GAE(λ) and normalised advantages; each iteration samples `episodes` episodes with θ and steps SGD or Adam.",
              example: "let pi = gaussian_mlp(2, 2, hidden: [16])\nlet r = vpg(pi, navigation2d(goal: [0.2, 0.1]), pi.init(), iterations: 2, episodes: 4, quiet: true)\nprint(len(r.log), r.config.seed)") { c in
      let model = try policyModel(c[0], c), env = try SamplingPrimitives.environment(c[1], c)
      let theta = try ParameterRecords.list(c[2], "vpg"), o = try options(c, from: 8)
      let resume = try resumeState(c, at: 14, learner: "vpg", seed: o.seed)
      var config = PolicyGradientConfiguration()
      config.learningRate = c.double(3); config.episodes = c.int(5); config.discount = c.double(6); config.gaeLambda = c.double(7)
      config.iterations = o.iterations; config.seed = o.seed
      guard let kind = GradientOptimizerKind(rawValue: c.string(4)) else { throw c.error("optimizer must be \"sgd\" or \"adam\"") }
      config.optimizer = kind
      let observer = try Observer(label: "vpg", options: o, vm: c.vm)
      let r: TrainingResult<PolicyGradientConfiguration> = try withPolicy(model) { p in
        try env.with { e in try vpg(policy: p, environment: e, initialParameters: theta, configuration: config, resume: resume, onIteration: observer.observe) }
      }
      return try result(r, observer, c)
    },
    Primitive("trpo", [ParameterSpec("policy", .object("policy_model")), ParameterSpec("env", .any), ParameterSpec("params", .map),
                       ParameterSpec("max_kl", .number, default: .float(0.01)), ParameterSpec("line_search", .bool, default: .bool(true), doc: "false: natural policy gradient (no line search)"),
                       ParameterSpec("episodes", .int, default: .int(20)), ParameterSpec("gamma", .number, default: .float(0.99)),
                       ParameterSpec("lambda", .number, default: .float(1)),
                       ParameterSpec("analytic_fisher", .bool, default: .bool(true), doc: "use the closed-form Fisher-vector product when the policy has one (softmax_policy); false: double backpropagation")] + common,
              returns: "a record {params, log, config, interrupted}", category: "learners",
              doc: "TRPO (or, with line_search: false, the natural policy gradient) on one task: Fisher-vector products in closed form for softmax_policy, else by double backpropagation of the mean KL, conjugate gradient (10 iterations, damping 1e-5), a step scaled to the KL bound δ = max_kl, backtracking line search (ratio 0.8, ≤ 15 steps). Used to train per-task experts (the note's §V.2).",
              example: "let m = maze(\"\"\"\n  #####\n  #S.G#\n  #####\n  \"\"\", horizon: 6)\nlet pi = softmax_policy(m)\nlet r = trpo(pi, m, pi.init(), iterations: 2, episodes: 8, quiet: true)\nprint(len(r.log))") { c in
      let model = try policyModel(c[0], c), env = try SamplingPrimitives.environment(c[1], c)
      let theta = try ParameterRecords.list(c[2], "trpo"), o = try options(c, from: 9)
      var config = NaturalGradientConfiguration()
      config.maxKL = c.double(3); config.episodes = c.int(5); config.discount = c.double(6); config.gaeLambda = c.double(7)
      config.analyticFisher = c.bool(8)
      config.iterations = o.iterations; config.seed = o.seed
      let lineSearch = c.bool(4)
      let resume = try resumeState(c, at: 15, learner: lineSearch ? "trpo" : "npg", seed: o.seed)
      let observer = try Observer(label: lineSearch ? "trpo" : "npg", options: o, vm: c.vm)
      let r: TrainingResult<NaturalGradientConfiguration> = try withPolicy(model) { p in
        try env.with { e in
          lineSearch ? try trpo(policy: p, environment: e, initialParameters: theta, configuration: config, resume: resume, onIteration: observer.observe)
            : try npg(policy: p, environment: e, initialParameters: theta, configuration: config, resume: resume, onIteration: observer.observe)
        }
      }
      return try result(r, observer, c)
    },
    Primitive("maml", [ParameterSpec("policy", .object("policy_model")),
                       ParameterSpec("tasks", .oneOf([.list, .string]), doc: "a pool of tasks (sampled per iteration), or \"navigation2d\" / \"navigation2d_sparse\" for fresh goals every iteration"),
                       ParameterSpec("params", .map),
                       ParameterSpec("inner_lr", .number, default: .float(0.1), doc: "α"), ParameterSpec("inner_steps", .int, default: .int(1), doc: "K"),
                       ParameterSpec("first_order", .bool, default: .bool(false)), ParameterSpec("meta_batch", .int, default: .int(20)),
                       ParameterSpec("episodes", .int, default: .int(20), doc: "adaptation and evaluation episodes per task"),
                       ParameterSpec("outer", .string, default: .string("trpo"), doc: "\"trpo\" (max_kl) or \"adam\" (outer_lr)"),
                       ParameterSpec("outer_lr", .number, default: .float(1e-3)), ParameterSpec("max_kl", .number, default: .float(0.01))] + common,
              returns: "a record {params, log (pre_return, post_return, loss, kl, ...), config, interrupted}", category: "learners",
              doc: "MAML for RL (Finn et al. 2017; pytorch-maml-rl, DESIGN.md §5): per task, θ'ᵢ = θ − α∇θ L(θ, τᵢ) for K inner REINFORCE steps (differentiated through unless first_order), evaluation episodes with θ'ᵢ, and the outer update on the mean post-adaptation loss by TRPO (Fisher-vector products through the adaptation) or Adam.",
              example: "let pi = gaussian_mlp(2, 2, hidden: [16])\nlet r = maml(pi, \"navigation2d\", pi.init(), meta_batch: 2, episodes: 3, iterations: 1, outer: \"adam\", quiet: true)\nprint(r.log[0].keys())") { c in
      let model = try policyModel(c[0], c)
      let theta = try ParameterRecords.list(c[2], "maml"), o = try options(c, from: 11)
      let resume = try resumeState(c, at: 17, learner: "maml", seed: o.seed)
      var config = MAMLConfiguration()
      config.innerLearningRate = c.double(3); config.innerSteps = c.int(4); config.firstOrder = c.bool(5)
      config.metaBatchSize = c.int(6); config.adaptationEpisodes = c.int(7); config.evaluationEpisodes = c.int(7)
      guard let outer = MetaOptimizerKind(rawValue: c.string(8)) else { throw c.error("outer must be \"trpo\" or \"adam\"") }
      config.outerOptimizer = outer; config.outerLearningRate = c.double(9); config.maxKL = c.double(10)
      config.iterations = o.iterations; config.seed = o.seed
      let observer = try Observer(label: "maml", options: o, vm: c.vm)
      let r: TrainingResult<MAMLConfiguration> = try withPolicy(model) { p in
        if let family = c[1].string {
          let fam: Navigation2DFamily
          switch family {
          case "navigation2d": fam = try Navigation2DFamily.canonical()
          case "navigation2d_sparse": fam = try Navigation2DFamily.sparse()
          default: throw c.error("tasks must be a list or \"navigation2d\" / \"navigation2d_sparse\"")
          }
          return try maml(policy: p, initialParameters: theta, configuration: config, resume: resume, onIteration: observer.observe) { n in
            try fam.tasks(count: config.metaBatchSize, seed: o.seed, iteration: n)
          }
        }
        switch try SamplingPrimitives.TaskList(c[1], c) {
        case .navigation(let tasks): return try maml(policy: p, tasks: tasks, initialParameters: theta, configuration: config, resume: resume, onIteration: observer.observe)
        case .tabular(let tasks): return try maml(policy: p, tasks: tasks, initialParameters: theta, configuration: config, resume: resume, onIteration: observer.observe)
        case .user: throw c.error("the task pool must be all navigation2d tasks or all tabular ones (mazes, goal tasks, mdps)")
        }
      }
      return try result(r, observer, c)
    },
    Primitive("reptile", [ParameterSpec("policy", .object("policy_model")),
                          ParameterSpec("tasks", .oneOf([.list, .string]), doc: "a pool of tasks, or \"navigation2d\" for fresh goals every iteration"),
                          ParameterSpec("params", .map),
                          ParameterSpec("inner_lr", .number, default: .float(0.1)), ParameterSpec("inner_steps", .int, default: .int(5)),
                          ParameterSpec("inner_optimizer", .string, default: .string("sgd"), doc: "\"sgd\" or \"adam\""),
                          ParameterSpec("step_size", .number, default: .float(0.1), doc: "the outer step ε: θ ← θ + ε(θ̃ − θ)"),
                          ParameterSpec("meta_batch", .int, default: .int(1), doc: "1 is the serial version"),
                          ParameterSpec("episodes", .int, default: .int(20))] + common,
              returns: "a record {params, log, config, interrupted}", category: "learners",
              doc: "Reptile (Nichol et al. 2018): per task, k inner policy-gradient steps (SGD or Adam) from θ to θ̃, then θ ← θ + ε(mean θ̃ − θ); serial with meta_batch 1.",
              example: "let pi = gaussian_mlp(2, 2, hidden: [8])\nlet r = reptile(pi, \"navigation2d\", pi.init(), inner_steps: 2, episodes: 3, iterations: 2, quiet: true)\nprint(len(r.log))") { c in
      let model = try policyModel(c[0], c)
      let theta = try ParameterRecords.list(c[2], "reptile"), o = try options(c, from: 9)
      let resume = try resumeState(c, at: 15, learner: "reptile", seed: o.seed)
      var config = ReptileConfiguration()
      config.innerLearningRate = c.double(3); config.innerSteps = c.int(4); config.outerStepSize = c.double(6)
      config.metaBatchSize = c.int(7); config.episodes = c.int(8); config.iterations = o.iterations; config.seed = o.seed
      guard let kind = GradientOptimizerKind(rawValue: c.string(5)) else { throw c.error("inner_optimizer must be \"sgd\" or \"adam\"") }
      config.innerOptimizer = kind
      let observer = try Observer(label: "reptile", options: o, vm: c.vm)
      let r: TrainingResult<ReptileConfiguration> = try model.with { p in
        if let family = c[1].string {
          guard family == "navigation2d" else { throw c.error("tasks must be a list or \"navigation2d\"") }
          let fam = try Navigation2DFamily.canonical()
          return try reptile(policy: p, initialParameters: theta, configuration: config, resume: resume, onIteration: observer.observe) { n in
            try fam.tasks(count: config.metaBatchSize, seed: o.seed, iteration: n)
          }
        }
        // Task n·m + j of the pool, in order (the serial version cycles through the pool).
        func cycling<E: EpisodicEnvironment>(_ pool: [E]) throws -> TrainingResult<ReptileConfiguration> {
          try reptile(policy: p, initialParameters: theta, configuration: config, resume: resume, onIteration: observer.observe) { n in
            (0..<config.metaBatchSize).map { pool[(n * config.metaBatchSize + $0) % pool.count] }
          }
        }
        switch try SamplingPrimitives.TaskList(c[1], c) {
        case .navigation(let tasks): return try cycling(tasks)
        case .tabular(let tasks): return try cycling(tasks)
        case .user: throw c.error("the task pool must be all navigation2d tasks or all tabular ones")
        }
      }
      return try result(r, observer, c)
    },
    Primitive("adapt", [ParameterSpec("policy", .object("policy_model")), ParameterSpec("env", .any), ParameterSpec("params", .map),
                        ParameterSpec("steps", .int, default: .int(1), doc: "k"), ParameterSpec("inner_lr", .number, default: .float(0.1)),
                        ParameterSpec("episodes", .int, default: .int(20)), ParameterSpec("seed", .optional(.int), default: .nil)],
              returns: "a record {params, returns}", category: "learners",
              doc: "Evaluates an initialisation on a task after k inner REINFORCE steps: returns the adapted θ' and the mean return before adaptation and after each step (k + 1 numbers).",
              example: "let pi = gaussian_mlp(2, 2, hidden: [16])\nlet r = adapt(pi, navigation2d(goal: [0.2, 0.2]), pi.init(), steps: 1, episodes: 4)\nprint(len(r.returns))") { c in
      let model = try policyModel(c[0], c), env = try SamplingPrimitives.environment(c[1], c)
      var theta = try ParameterRecords.list(c[2], "adapt")
      guard c.int(3) >= 0, c.int(3) <= 10_000 else { throw c.error("steps must be in 0...10000") }
      let seed = c.isGiven(6) ? UInt64(truncatingIfNeeded: c[6].int) : c.state.seed
      var returns: [Double] = []
      for k in 0...c.int(3) {
        if c.vm.interruptFlag.pointee != 0 { c.vm.interruptFlag.pointee = 0; throw RuntimeError.interrupted }
        let batch: Batch = try model.with { p in
          try env.with { e in try sampleBatch(e, policy: p, parameters: theta, episodes: c.int(5), seed: seed, iteration: k) }
        }
        returns.append(batch.meanReturn)
        if k == c.int(3) { break }
        let data = try PolicyGradientData(batch: batch)
        theta = try model.with { try HMRL.adapt($0, parameters: theta, data: [data], innerLearningRate: c.double(4), secondOrder: false) }.detached()
      }
      return c.vm.heap.makeMap([("params", ParameterRecords.record(theta, c.vm)), ("returns", c.vm.heap.makeList(returns.map { Value($0) }))])
    },
  ]
}
