import HMRL
import HMTensor

/// A 2D navigation task as an hm value.
final class NavigationBox: NativeObject {
  let task: Navigation2D
  init(_ task: Navigation2D) { self.task = task }
  var typeName: String { "navigation2d" }
  func describe(width: Int) -> String {
    "<navigation2d goal (\(formatFloat(task.goal[0])), \(formatFloat(task.goal[1]))), horizon \(task.horizon)>"
  }
}

/// A sampled batch of episodes (one task), as an hm value.
final class BatchBox: NativeObject {
  let batch: Batch
  init(_ batch: Batch) { self.batch = batch }
  var typeName: String { "batch" }
  func describe(width: Int) -> String {
    "<batch \(batch.episodeCount) episodes × \(batch.horizon) steps, task \(batch.taskIndex), mean return \(formatFloat((batch.meanReturn * 1000).rounded() / 1000))>"
  }
}

enum Environment {
  case navigation(Navigation2D)
  case tabular(TabularEnvironment)
  case user(ClosureEnvironment)

  /// Runs `body` with the concrete environment (HMRL's samplers and learners are generic over
  /// it; an existential passed to them is opened).
  func with<R>(_ body: (any EpisodicEnvironment) throws -> R) rethrows -> R {
    switch self {
    case .navigation(let e): return try body(e)
    case .tabular(let e): return try body(e)
    case .user(let e): return try body(e)
    }
  }
}

/// A continuous MDP defined in hm by a batched step function (`continuous_mdp(...)`).
final class UserEnvironmentBox: NativeObject {
  let environment: ClosureEnvironment
  let step: Value
  init(_ environment: ClosureEnvironment, step: Value) { self.environment = environment; self.step = step }
  var typeName: String { "continuous_mdp" }
  func describe(width: Int) -> String {
    "<continuous_mdp \(environment.observationSize) observation numbers, \(environment.actionSize) action numbers, horizon \(environment.horizon)>"
  }
  /// The step function is an hm value: the collector must keep it.
  func forEachValue(_ body: (Value) -> Void) { body(step) }
}

enum SamplingPrimitives {
  /// The environment behind an hm value: a navigation task, a maze, a goal task or an MDP.
  static func environment(_ v: Value, _ c: NativeCall) throws -> Environment {
    guard v.tag == .object else { throw c.error("expected an environment (navigation2d, maze, goal task or mdp), got \(v.typeNameWithArticle)") }
    switch v.nativeObject.payload {
    case let n as NavigationBox: return .navigation(n.task)
    case let u as UserEnvironmentBox: return .user(u.environment)
    case let m as MazeBox: return .tabular(try TabularEnvironment(maze: m.maze, observation: m.observation))
    case let t as GoalTaskBox: return .tabular(try TabularEnvironment(maze: try t.task.maze(), observation: .oneHot, features: t.task.features))
    case let m as MDPBox: return .tabular(try TabularEnvironment(mdp: m.mdp))
    default: throw c.error("expected an environment (navigation2d, maze, goal task or mdp), got \(v.typeNameWithArticle)")
    }
  }

  /// A list of tasks of one kind (all navigation, all mazes/goal tasks/MDPs, or all user MDPs):
  /// what the learners and Algorithm 1, generic over one environment type, take.
  enum TaskList {
    case navigation([Navigation2D])
    case tabular([TabularEnvironment])
    case user([ClosureEnvironment])

    init(_ v: Value, _ c: NativeCall) throws {
      guard v.tag == .list, !v.listObject.items.isEmpty else { throw c.error("tasks must be a non-empty list of environments") }
      let envs = try v.listObject.items.map { try environment($0, c) }
      let mixed = c.error("tasks must all be of one kind (navigation2d, maze/goal task/mdp, or continuous_mdp)")
      switch envs[0] {
      case .navigation: self = .navigation(try envs.map { guard case .navigation(let e) = $0 else { throw mixed }; return e })
      case .tabular: self = .tabular(try envs.map { guard case .tabular(let e) = $0 else { throw mixed }; return e })
      case .user: self = .user(try envs.map { guard case .user(let e) = $0 else { throw mixed }; return e })
      }
    }

    var features: [[Double]] {
      switch self {
      case .navigation(let t): return t.map(\.features)
      case .tabular(let t): return t.map(\.features)
      case .user(let t): return t.map(\.features)
      }
    }
  }

  static func rewardForm(_ s: String, _ c: NativeCall) throws -> Navigation2D.RewardForm {
    guard let r = Navigation2D.RewardForm(rawValue: s) else { throw c.error("reward must be \"distance\" or \"squared_distance\", got \(quote(s))") }
    return r
  }

  static func batch(_ c: NativeCall) throws -> Batch {
    guard c.receiver.tag == .object, let b = c.receiver.nativeObject.payload as? BatchBox else { throw c.error("not a batch") }
    return b.batch
  }

  static func property(_ name: String, returns: String, doc: String, _ body: @escaping (NativeCall, Batch) throws -> Value) -> Primitive {
    Primitive(name, on: .property("batch"), [], returns: returns, category: "sampling", doc: doc,
              example: "let b = sample(navigation2d(goal: [0.3, -0.2]), gaussian_mlp(2, 2, hidden: [8]), gaussian_mlp(2, 2, hidden: [8]).init(), episodes: 4)\nprint(b.\(name))") { c in
      try body(c, try batch(c))
    }
  }

  static let all: [Primitive] = [
    Primitive("navigation2d", [ParameterSpec("goal", .list, doc: "[x, y]"),
                               ParameterSpec("reward", .string, default: .string("distance"), doc: "\"distance\" (−‖next − goal‖, the reference code) or \"squared_distance\" (the MAML paper's text)"),
                               ParameterSpec("horizon", .int, default: .int(100)),
                               ParameterSpec("sparse_radius", .optional(.number), default: .nil, doc: "if given: the sparse variant, reward only within this radius of the goal")],
              returns: "a navigation2d task", category: "sampling",
              doc: "MAML's 2D point navigation (DESIGN.md §5): start (0,0), observation = position, action = velocity clipped to [−0.1, 0.1]², the episode ends within 0.01 of the goal on both axes or after `horizon` steps.",
              example: "navigation2d(goal: [0.2, -0.4])") { c in
      let goal = try c[0].listObject.items.map { v -> Double in
        guard v.isNumber else { throw c.error("goal must be two numbers") }
        return v.number
      }
      if c.isGiven(3) { return c.vm.heap.makeObject(NavigationBox(try Navigation2D.sparse(goal: goal, radius: c[3].number, horizon: c.int(2)))) }
      return c.vm.heap.makeObject(NavigationBox(try Navigation2D(goal: goal, rewardForm: try rewardForm(c.string(1), c), horizon: c.int(2))))
    },
    Primitive("goal", on: .property("navigation2d"), returns: "[x, y]", category: "sampling",
              doc: "The task's goal (also its feature vector, what a Siamese net over task features sees).",
              example: "print(navigation2d(goal: [0.2, -0.4]).goal)") { c in
      guard c.receiver.tag == .object, let n = c.receiver.nativeObject.payload as? NavigationBox else { throw c.error("not a navigation2d task") }
      return c.vm.heap.makeList(n.task.goal.map { Value($0) })
    },
    Primitive("features", on: .property("navigation2d"), returns: "a list of floats", category: "sampling",
              doc: "The task's feature vector: its goal [x, y].",
              example: "print(navigation2d(goal: [0.2, -0.4]).features)") { c in
      guard c.receiver.tag == .object, let n = c.receiver.nativeObject.payload as? NavigationBox else { throw c.error("not a navigation2d task") }
      return c.vm.heap.makeList(n.task.features.map { Value($0) })
    },
    Primitive("navigation2d_tasks", [ParameterSpec("count", .int), ParameterSpec("seed", .int, default: .int(0)),
                                     ParameterSpec("iteration", .int, default: .int(0)),
                                     ParameterSpec("variant", .string, default: .string("canonical"), doc: "\"canonical\" (goals uniform in [−0.5, 0.5]²) or \"sparse\" (goals on a half-circle of radius 1, reward radius 0.2, horizon 20)"),
                                     ParameterSpec("reward", .string, default: .string("distance"))],
              returns: "a list of navigation2d tasks", category: "sampling",
              doc: "A seeded draw of tasks from the 2D navigation family: task i of iteration k derives from (seed, k, i) only.",
              example: "let tasks = navigation2d_tasks(3, seed: 1)\nprint(len(tasks))") { c in
      let family: Navigation2DFamily
      switch c.string(3) {
      case "canonical": family = try Navigation2DFamily.canonical(rewardForm: try rewardForm(c.string(4), c))
      case "sparse": family = try Navigation2DFamily.sparse()
      default: throw c.error("variant must be \"canonical\" or \"sparse\"")
      }
      guard c.int(0) >= 0, c.int(0) <= 100_000 else { throw c.error("count must be in 0...100000") }
      let tasks = try family.tasks(count: c.int(0), seed: UInt64(truncatingIfNeeded: c.int(1)), iteration: c.int(2))
      return c.vm.heap.makeList(tasks.map { c.vm.heap.makeObject(NavigationBox($0)) })
    },
    Primitive("sample", [ParameterSpec("env", .any, doc: "a navigation2d task, maze, goal task or mdp"),
                         ParameterSpec("policy", .object("policy_model")), ParameterSpec("params", .map, doc: "θ"),
                         ParameterSpec("episodes", .int, default: .int(20)), ParameterSpec("seed", .optional(.int), default: .nil, doc: "default: the run's seed"),
                         ParameterSpec("iteration", .int, default: .int(0)), ParameterSpec("task", .int, default: .int(0))],
              returns: "a batch", category: "sampling",
              doc: "B episodes of π_θ on one task, stepped in lockstep as tensors. Each episode's randomness derives from (seed, iteration, task, episode), so a batch never depends on threads or scheduling.",
              example: "let pi = gaussian_mlp(2, 2, hidden: [16])\nlet b = sample(navigation2d(goal: [0.3, 0.1]), pi, pi.init(), episodes: 5, seed: 3)\nprint(b.episodes, b.horizon)") { c in
      let env = try environment(c[0], c)
      guard c[1].tag == .object, let box = c[1].nativeObject.payload as? PolicyModelBox else { throw c.error("policy must be a policy model") }
      let theta = try ParameterRecords.list(c[2], "sample")
      let seed = c.isGiven(4) ? UInt64(truncatingIfNeeded: c[4].int) : c.state.seed
      let batch: Batch = try box.model.with { policy in
        try env.with { e in
          try sampleBatch(e, policy: policy, parameters: theta, episodes: c.int(3), seed: seed, iteration: c.int(5), taskIndex: c.int(6))
        }
      }
      return c.vm.heap.makeObject(BatchBox(batch))
    },
    Primitive("continuous_mdp", [ParameterSpec("observations", .int, doc: "observation size"), ParameterSpec("actions", .int, doc: "action size"),
                                 ParameterSpec("horizon", .int), ParameterSpec("start", .list, doc: "the initial observation"),
                                 ParameterSpec("step", .function, doc: "fn(obs [B, o], act [B, a], t) => {next: [B, o], rewards: [B], done: [B] or nil}")],
              returns: "a continuous MDP", category: "sampling",
              doc: "A continuous MDP defined by an hm step function called once per time step for the whole batch of episodes (tensors in, a record of tensors out), so the per-element work stays native. A wrong shape from the step function is a language error.",
              example: "let walk = continuous_mdp(1, 1, 10, [0.0], fn(obs, act, t) => {next: obs + act.clamp(min: -1, max: 1), rewards: -(obs + act).abs().sum(axis: 1)})\nlet pi = gaussian_mlp(1, 1, hidden: [8])\nprint(sample(walk, pi, pi.init(), episodes: 3).rewards.shape)") { c in
      let vm = c.vm, function = c[4]
      let start = try c[3].listObject.items.map { v -> Double in
        guard v.isNumber else { throw c.error("start must be a list of numbers") }
        return v.number
      }
      let environment = try ClosureEnvironment(observationSize: c.int(0), actionSize: c.int(1), horizon: c.int(2),
                                               initialObservation: start) { observations, actions, t in
        let out = try vm.withRoots([function]) { try vm.call(function, [vm.makeTensor(observations), vm.makeTensor(actions), Value(t)]) }
        guard out.tag == .map, let next = try out.mapObject.get(vm.heap.intern("next")).flatMap(TensorConversion.tensor(of:)),
              let rewards = try out.mapObject.get(vm.heap.intern("rewards")).flatMap(TensorConversion.tensor(of:)) else {
          throw RuntimeError("continuous_mdp: the step function must return {next: tensor, rewards: tensor, done: tensor or nil}")
        }
        let done = try out.mapObject.get(vm.heap.intern("done")).flatMap(TensorConversion.tensor(of:))
        return BatchedTransition(next: next, rewards: rewards, done: done)
      }
      return vm.heap.makeObject(UserEnvironmentBox(environment, step: function))
    },
    Primitive("sample_tasks", [ParameterSpec("tasks", .list, doc: "environments (navigation2d tasks, mazes, goal tasks, mdps)"),
                               ParameterSpec("policy", .object("policy_model")),
                               ParameterSpec("params", .oneOf([.map, .list]), doc: "one θ for all tasks, or a list with one θ per task"),
                               ParameterSpec("episodes", .int, default: .int(20)), ParameterSpec("seed", .optional(.int), default: .nil),
                               ParameterSpec("iteration", .int, default: .int(0))],
              returns: "a list of batches", category: "sampling",
              doc: "One batch per task of a meta-batch, the tasks spread over both cores; task i's episodes draw from (seed, iteration, i, episode), so the result is the same with HMAML_THREADS=1 or 2. Tasks defined by hm step functions run on the calling thread.",
              example: "let pi = gaussian_mlp(2, 2, hidden: [8])\nlet batches = sample_tasks(navigation2d_tasks(4, seed: 1), pi, pi.init(), episodes: 5)\nprint(len(batches), batches[3].episodes)") { c in
      let envs = try c[0].listObject.items.map { try environment($0, c) }
      guard c[1].tag == .object, let box = c[1].nativeObject.payload as? PolicyModelBox else { throw c.error("policy must be a policy model") }
      let thetas: [ParameterList] = c[2].tag == .map ? [try ParameterRecords.list(c[2], "sample_tasks")]
        : try c[2].listObject.items.map { try ParameterRecords.list($0, "sample_tasks") }
      guard thetas.count == 1 || thetas.count == envs.count else { throw c.error("\(thetas.count) parameter records for \(envs.count) tasks") }
      let seed = c.isGiven(4) ? UInt64(truncatingIfNeeded: c[4].int) : c.state.seed
      let batches: [Batch] = try box.model.with { policy in
        // Homogeneous lists go to the parallel sampler; anything else task by task.
        if case .navigation = envs.first, envs.allSatisfy({ if case .navigation = $0 { return true }; return false }) {
          let tasks = envs.compactMap { e -> Navigation2D? in if case .navigation(let n) = e { return n }; return nil }
          return try sampleBatches(tasks, policy: policy, parameters: thetas, episodes: c.int(3), seed: seed, iteration: c.int(5))
        }
        if case .tabular = envs.first, envs.allSatisfy({ if case .tabular = $0 { return true }; return false }) {
          let tasks = envs.compactMap { e -> TabularEnvironment? in if case .tabular(let t) = e { return t }; return nil }
          return try sampleBatches(tasks, policy: policy, parameters: thetas, episodes: c.int(3), seed: seed, iteration: c.int(5))
        }
        return try envs.enumerated().map { i, env in
          try env.with { e in
            try sampleBatch(e, policy: policy, parameters: thetas.count == 1 ? thetas[0] : thetas[i], episodes: c.int(3),
                            seed: seed, iteration: c.int(5), taskIndex: i)
          }
        }
      }
      return c.vm.heap.makeList(batches.map { c.vm.heap.makeObject(BatchBox($0)) })
    },
    property("observations", returns: "a tensor [B, T, obs]", doc: "Observations, zero after an episode ends.") { c, b in c.vm.makeTensor(b.observations) },
    property("actions", returns: "a tensor [B, T, act]", doc: "Actions taken.") { c, b in c.vm.makeTensor(b.actions) },
    property("rewards", returns: "a tensor [B, T]", doc: "Rewards (0 on padded steps).") { c, b in c.vm.makeTensor(b.rewards) },
    property("masks", returns: "a tensor [B, T]", doc: "1 on real steps, 0 on padding.") { c, b in c.vm.makeTensor(b.masks) },
    property("log_probs", returns: "a tensor [B, T]", doc: "Behaviour log-probabilities log π(a|o) of the sampling policy.") { c, b in c.vm.makeTensor(b.logProbs) },
    property("lengths", returns: "a list of ints", doc: "Each episode's number of steps.") { c, b in c.vm.heap.makeList(b.lengths.map { Value($0) }) },
    property("returns", returns: "a list of floats", doc: "Each episode's undiscounted return.") { c, b in c.vm.heap.makeList(b.undiscountedReturns.map { Value($0) }) },
    property("mean_return", returns: "a float", doc: "The mean undiscounted return.") { _, b in Value(b.meanReturn) },
    property("episodes", returns: "an int", doc: "B.") { _, b in Value(b.episodeCount) },
    property("horizon", returns: "an int", doc: "T.") { _, b in Value(b.horizon) },
    Primitive("trajectory", on: .object("batch"), [ParameterSpec("index", .int)], returns: "a record", category: "sampling",
              doc: "Episode `index` on its own: {observations, actions, rewards, log_probs} as lists of its real steps, and its return.",
              example: "let pi = gaussian_mlp(2, 2, hidden: [8])\nlet t = sample(navigation2d(goal: [0.1, 0.1]), pi, pi.init(), episodes: 2).trajectory(0)\nprint(t.keys())") { c in
      let t = try batch(c).trajectory(c.int(0))
      let vm = c.vm
      func rows(_ flat: [Double], _ width: Int) -> Value {
        guard width > 0 else { return vm.heap.makeList([]) }
        return vm.heap.makeList(stride(from: 0, to: flat.count, by: width).map { i in vm.heap.makeList(flat[i..<min(flat.count, i + width)].map { Value($0) }) })
      }
      return vm.heap.makeMap([
        ("observations", rows(t.observations, t.observationSize)),
        ("actions", rows(t.actions, t.actionSize)),
        ("rewards", vm.heap.makeList(t.rewards.map { Value($0) })),
        ("log_probs", vm.heap.makeList(t.logProbs.map { Value($0) })),
        ("return", Value(t.rewards.reduce(0, +))),
      ])
    },
    Primitive("advantages", on: .object("batch"), [ParameterSpec("gamma", .number, default: .float(0.99)), ParameterSpec("lambda", .number, default: .float(1)),
                                                  ParameterSpec("normalize", .bool, default: .bool(true))],
              returns: "a record {returns, advantages, baseline_warning}", category: "sampling",
              doc: "Discounted returns and GAE(λ) advantages with the linear feature baseline of DESIGN.md §5 (features [o, o², t/100, (t/100)², (t/100)³, 1], ridge 1e-5 ×10 up to 5 retries, padded steps masked; a failed fit falls back to a zero baseline and says so in baseline_warning), normalised over real steps.",
              example: "let pi = gaussian_mlp(2, 2, hidden: [8])\nlet a = sample(navigation2d(goal: [0.2, 0.2]), pi, pi.init(), episodes: 4).advantages()\nprint(a.advantages.shape)") { c in
      let b = try batch(c)
      let adv = try b.advantages(discount: c.double(0), lambda: c.double(1), normalize: c.bool(2))
      let shape = [b.episodeCount, b.horizon]
      return c.vm.heap.makeMap([
        ("returns", c.vm.makeTensor(try Tensor(adv.returns, shape: shape))),
        ("advantages", c.vm.makeTensor(try adv.advantageTensor(episodes: b.episodeCount, steps: b.horizon))),
        ("baseline_warning", adv.baseline.warning.map { c.vm.heap.makeString($0) } ?? .nil),
      ])
    },
  ]
}
