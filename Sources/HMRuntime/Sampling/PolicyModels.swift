import HMRL
import HMTensor
#if canImport(Glibc)
import Glibc
#endif


/// A differentiable policy family (parameters are separate, explicit records of tensors, so an
/// adapted θ' is just another record).
enum PolicyModel {
  case gaussian(GaussianMLPPolicy)
  case categorical(CategoricalMLPPolicy)
  case softmax(TabularSoftmaxPolicy)

  var name: String {
    switch self {
    case .gaussian: return "gaussian_mlp"
    case .categorical: return "categorical_mlp"
    case .softmax: return "softmax_policy"
    }
  }

  /// Runs `body` with the concrete policy type (HMRL's APIs are generic over it).
  func with<R>(_ body: (any StochasticPolicy) throws -> R) rethrows -> R {
    switch self {
    case .gaussian(let p): return try body(p)
    case .categorical(let p): return try body(p)
    case .softmax(let p): return try body(p)
    }
  }
}

/// A policy model as an hm value (`gaussian_mlp(...)`, `categorical_mlp(...)`, `softmax_policy(...)`).
final class PolicyModelBox: NativeObject {
  let model: PolicyModel
  init(_ model: PolicyModel) { self.model = model }
  var typeName: String { "policy_model" }
  func describe(width: Int) -> String {
    switch model {
    case .gaussian(let p): return "<gaussian_mlp: \(p.observationSize) observation numbers → \(p.actionSize) action numbers>"
    case .categorical(let p): return "<categorical_mlp: \(p.observationSize) observation numbers → \(p.actionCount) actions>"
    case .softmax(let p): return "<softmax_policy: \(p.stateCount) states × \(p.actionCount) actions>"
    }
  }
}

/// Parameter lists as hm records of tensors, in order.
enum ParameterRecords {
  static func record(_ p: ParameterList, _ vm: VM) -> Value {
    vm.heap.makeMap(zip(p.names, p.tensors).map { ($0, vm.makeTensor($1)) })
  }

  static func list(_ v: Value, _ what: String) throws -> ParameterList {
    guard v.tag == .map else { throw RuntimeError("\(what): parameters must be a record of tensors (from policy.init())") }
    var pairs: [(String, Tensor)] = []
    for (k, x) in v.mapObject.entries {
      guard let name = k.string, let t = TensorConversion.tensor(of: x) else {
        throw RuntimeError("\(what): parameter entries must be name: tensor")
      }
      pairs.append((name, t))
    }
    return try ParameterList(pairs)
  }
}

enum PolicyModelPrimitives {
  static func model(_ c: NativeCall) throws -> PolicyModel {
    guard c.receiver.tag == .object, let box = c.receiver.nativeObject.payload as? PolicyModelBox else {
      throw c.error("not a policy model")
    }
    return box.model
  }

  static let hidden = ParameterSpec("hidden", .list, default: .nil, doc: "hidden layer sizes")

  static func sizes(_ c: NativeCall, observations: Int, actions: Int) throws -> (Int, Int) {
    // A maze or goal task gives its sizes (one-hot observations, 4 actions).
    if let env = try? SamplingPrimitives.environment(c[0], c), case .tabular(let t) = env {
      return (t.observationSize, t.mdp.actionCount)
    }
    guard c[0].tag == .int else { throw c.error("give the observation size (an int) or a maze") }
    return (c.int(0), c[actions].tag == .int ? c[actions].int : 0)
  }

  static func hiddenSizes(_ v: Value, default d: [Int]) throws -> [Int] {
    if v.isNil { return d }
    return try TensorConversion.shape(v, "hidden")
  }

  static let all: [Primitive] = [
    Primitive("gaussian_mlp", [ParameterSpec("observations", .int, doc: "observation size"),
                               ParameterSpec("actions", .int, doc: "action size"),
                               ParameterSpec("hidden", .optional(.list), default: .nil, doc: "hidden sizes (default [100, 100])")],
              returns: "a policy model", category: "policies",
              doc: "A diagonal-Gaussian MLP policy: tanh hidden layers, mean output, state-independent log-std (initialised to 0); Xavier-uniform weights, zero biases (DESIGN.md §5).",
              example: "let pi = gaussian_mlp(2, 2, hidden: [100, 100])\nlet theta = pi.init(seed: 0)\nprint(pi, len(theta))") { c in
      let p = try GaussianMLPPolicy(observationSize: c.int(0), actionSize: c.int(1), hidden: try hiddenSizes(c[2], default: [100, 100]))
      return c.vm.heap.makeObject(PolicyModelBox(.gaussian(p)))
    },
    Primitive("categorical_mlp", [ParameterSpec("observations", .any, doc: "observation size, or a maze / goal task"),
                                  ParameterSpec("actions", .optional(.int), default: .nil, doc: "number of actions (from the maze if omitted)"),
                                  ParameterSpec("hidden", .optional(.list), default: .nil, doc: "hidden sizes (default [64, 64])")],
              returns: "a policy model", category: "policies",
              doc: "A categorical MLP policy (tanh hidden layers, softmax over actions). Given a maze, it reads one-hot states and chooses among its 4 actions.",
              example: "let m = maze(\"\"\"\n  #####\n  #S.G#\n  #####\n  \"\"\")\nlet pi = categorical_mlp(m, hidden: [16])\nprint(pi)") { c in
      let (o, a) = try sizes(c, observations: 0, actions: 1)
      guard a > 0 else { throw c.error("give the number of actions") }
      let p = try CategoricalMLPPolicy(observationSize: o, actionCount: a, hidden: try hiddenSizes(c[2], default: [64, 64]))
      return c.vm.heap.makeObject(PolicyModelBox(.categorical(p)))
    },
    Primitive("softmax_policy", [ParameterSpec("mdp", .any, doc: "a maze, goal task or tabular MDP")],
              returns: "a policy model", category: "policies",
              doc: "A tabular softmax policy: one logit per (state, action), initialised to zero (uniform).",
              example: "let m = maze(\"\"\"\n  #####\n  #S.G#\n  #####\n  \"\"\")\nprint(softmax_policy(m))") { c in
      guard case .tabular(let env)? = try? SamplingPrimitives.environment(c[0], c) else { throw c.error("needs a maze, goal task or tabular MDP") }
      let p = try TabularSoftmaxPolicy(stateCount: env.mdp.stateCount, actionCount: env.mdp.actionCount)
      return c.vm.heap.makeObject(PolicyModelBox(.softmax(p)))
    },
    Primitive("init", on: .object("policy_model"), [ParameterSpec("seed", .int, default: .int(0))],
              returns: "a record of tensors (θ)", category: "policies",
              doc: "Fresh parameters θ, drawn from a stream of `seed`: an ordered record name → tensor. Adapted parameters are just other records of the same shape.",
              example: "let theta = gaussian_mlp(2, 2, hidden: [8]).init(seed: 1)\nprint(theta.keys())") { c in
      var rng = RandomStream(seed: UInt64(truncatingIfNeeded: c.int(0)), stream: [0x9A7A])
      return ParameterRecords.record(try model(c).with { try $0.initialParameters(using: &rng) }, c.vm)
    },
    Primitive("log_prob", on: .object("policy_model"), [ParameterSpec("observations", TensorPrimitives.tensorLike),
                                                       ParameterSpec("actions", TensorPrimitives.tensorLike), ParameterSpec("params", .map)],
              returns: "a tensor of log-probabilities", category: "policies",
              doc: "log π_θ(a | o) for a batch: observations [..., obs], actions [..., act] (for categorical policies, act = 1 holding the action index), as in a batch; differentiable in θ.",
              example: "let pi = gaussian_mlp(2, 2, hidden: [8])\nlet theta = pi.init()\nprint(pi.log_prob(zeros([3, 2]), zeros([3, 2]), theta).shape)") { c in
      let theta = try ParameterRecords.list(c[2], "log_prob")
      return c.vm.makeTensor(try model(c).with { try $0.logProb(try TensorConversion.make(c[0]), try TensorConversion.make(c[1]), parameters: theta) })
    },
    Primitive("entropy", on: .object("policy_model"), [ParameterSpec("observations", TensorPrimitives.tensorLike), ParameterSpec("params", .map)],
              returns: "a tensor", category: "policies", doc: "The entropy of π_θ(· | o) for each observation (nats).",
              example: "let pi = gaussian_mlp(2, 2, hidden: [8])\nprint(pi.entropy(zeros([1, 2]), pi.init()).tolist())") { c in
      let theta = try ParameterRecords.list(c[1], "entropy")
      return c.vm.makeTensor(try model(c).with { try $0.entropy(try TensorConversion.make(c[0]), parameters: theta) })
    },
    Primitive("greedy", on: .object("policy_model"), [ParameterSpec("observations", TensorPrimitives.tensorLike), ParameterSpec("params", .map)],
              returns: "a tensor of actions", category: "policies", doc: "The most likely action for each observation (the mean for a Gaussian).",
              example: "let pi = gaussian_mlp(2, 2, hidden: [8])\nprint(pi.greedy(zeros([1, 2]), pi.init()).shape)") { c in
      let theta = try ParameterRecords.list(c[1], "greedy")
      return c.vm.makeTensor(try model(c).with { try $0.greedyAction(try TensorConversion.make(c[0]), parameters: theta) })
    },
    Primitive("table", on: .object("policy_model"), [ParameterSpec("params", .map), ParameterSpec("mdp", .any, doc: "a maze, goal task or tabular MDP")],
              returns: "a tabular policy π[s][a]", category: "policies",
              doc: "π_θ evaluated on every state of a tabular environment (one batched forward pass), as a tabular policy — so the exact metrics of the note (policy_metric, equivalence_metric, policy_divergence, pairwise_metrics) apply to neural policies.",
              example: "let m = maze(\"\"\"\n  #####\n  #S.G#\n  #####\n  \"\"\")\nlet pi = categorical_mlp(m, hidden: [8])\nprint(pi.table(pi.init(), m))") { c in
      let theta = try ParameterRecords.list(c[0], "table")
      let (states, observations): (Int, [[Double]])
      guard c[1].tag == .object else { throw c.error("needs a maze, goal task or tabular MDP") }
      switch c[1].nativeObject.payload {
      case let m as MazeBox:
        states = m.maze.stateCount
        observations = try (0..<states).map { try m.maze.observation(of: $0, as: m.observation) }
      case let t as GoalTaskBox:
        let maze = try t.task.maze()
        states = maze.stateCount
        observations = try (0..<states).map { try maze.observation(of: $0, as: .oneHot) }
      case let m as MDPBox:
        states = m.mdp.stateCount
        observations = (0..<states).map { s in (0..<states).map { $0 == s ? 1.0 : 0.0 } }
      default: throw c.error("needs a maze, goal task or tabular MDP")
      }
      let model = try model(c)
      if case .softmax(let p) = model { return c.vm.heap.makeObject(PolicyBox(try p.tabularPolicy(parameters: theta))) }
      guard case .categorical = model else {
        throw c.error("a table needs a discrete-action policy (categorical_mlp or softmax_policy)")
      }
      guard case .categorical(let categorical) = model else { throw c.error("unsupported policy") }
      let actions = categorical.actionCount
      guard actions > 0 else { throw c.error("the policy has no actions") }
      // All (state, action) pairs in one forward pass: log π(a | o_s).
      let width = observations.first?.count ?? 0
      var obs: [Double] = [], acts: [Double] = []
      obs.reserveCapacity(states * actions * width)
      for s in 0..<states { for a in 0..<actions { obs += observations[s]; acts.append(Double(a)) } }
      let logp = try model.with {
        try $0.logProb(try Tensor(obs, shape: [states * actions, width]), try Tensor(acts, shape: [states * actions, 1]), parameters: theta)
      }
      // Rows renormalised in double precision (float32 log-probabilities sum to 1 ± 1e-7).
      var probabilities = logp.toArray().map { Glibc.exp($0) }
      for s in 0..<states {
        let row = (s * actions)..<((s + 1) * actions)
        let total = probabilities[row].reduce(0, +)
        for k in row { probabilities[k] /= total }
      }
      return c.vm.heap.makeObject(PolicyBox(try TabularPolicy(stateCount: states, actionCount: actions, probabilities: probabilities)))
    },
    Primitive("save_params", [ParameterSpec("path", .string), ParameterSpec("params", .map)], category: "policies",
              doc: "Writes parameters as a safetensors file (readable by PyTorch's and JAX's safetensors), atomically.",
              example: "let theta = gaussian_mlp(2, 2, hidden: [4]).init()\nsave_params(\"/tmp/hm_doc_theta.safetensors\", theta)") { c in
      try Safetensors.save(try ParameterRecords.list(c[1], "save_params"), to: c.string(0), metadata: ["writer": "hmaml"])
      return .nil
    },
    Primitive("load_params", [ParameterSpec("path", .string)], returns: "a record of tensors", category: "policies",
              doc: "Reads a safetensors file (validated: header, dtypes, shapes, offsets) into a parameter record; from a learner's checkpoint, θ (its optimiser's tensors are left out).",
              example: "save_params(\"/tmp/hm_doc_theta.safetensors\", gaussian_mlp(2, 2, hidden: [4]).init())\nprint(load_params(\"/tmp/hm_doc_theta.safetensors\").keys())") { c in
      let all = try Safetensors.load(from: c.string(0)).parameters
      let theta = zip(all.names, all.tensors).filter { !$0.0.hasPrefix("optimizer/") }
      return ParameterRecords.record(try ParameterList(theta.map { ($0.0, $0.1) }), c.vm)
    },
  ]
}
