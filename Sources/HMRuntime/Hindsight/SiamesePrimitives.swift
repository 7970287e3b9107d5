import HMRL
import HMTensor

/// The Siamese task metric f_φ (the note's §II) as an hm value.
final class SiameseBox: NativeObject {
  var network: SiameseNetwork
  init(_ network: SiameseNetwork) { self.network = network }
  var typeName: String { "siamese" }
  func describe(width: Int) -> String {
    let c = network.configuration
    return "<siamese over \(c.encoder.rawValue) (\(c.inputSize) numbers) → \(c.embeddingSize), \(network.trainingSteps) steps trained>"
  }
}

enum SiamesePrimitives {
  static func box(_ c: NativeCall) throws -> SiameseBox {
    guard c.receiver.tag == .object, let b = c.receiver.nativeObject.payload as? SiameseBox else { throw c.error("not a siamese net") }
    return b
  }

  /// A task as f_φ sees it: a list of numbers (its features), an environment (its features), or
  /// a batch or list of batches (the transitions of its episodes, for the transitions encoder).
  static func description(_ v: Value, _ c: NativeCall) throws -> TaskDescription {
    if v.tag == .list {
      let items = v.listObject.items
      if !items.isEmpty, items.allSatisfy({ $0.tag == .object && $0.nativeObject.payload is BatchBox }) {
        return try TaskDescription(transitionsOf: items.flatMap { ($0.nativeObject.payload as? BatchBox)?.batch.trajectories() ?? [] })
      }
      return .features(try items.map { x -> Double in
        guard x.isNumber else { throw c.error("a task's features must be numbers, got \(x.typeNameWithArticle)") }
        return x.number
      })
    }
    if v.tag == .object, let b = v.nativeObject.payload as? BatchBox {
      return try TaskDescription(transitionsOf: b.batch.trajectories())
    }
    return .features(try SamplingPrimitives.environment(v, c).with { $0.features })
  }

  static func descriptions(_ v: Value, _ c: NativeCall) throws -> [TaskDescription] {
    guard v.tag == .list else { throw c.error("tasks must be a list") }
    return try v.listObject.items.map { try description($0, c) }
  }

  /// Pairs as records `{first, second, similar}` (what `task_pairs` returns) or lists `[i, j, similar]`.
  static func pairs(_ v: Value, _ c: NativeCall) throws -> [TaskPair] {
    guard v.tag == .list else { throw c.error("pairs must be a list") }
    return try v.listObject.items.map { p in
      var fields: [Value]
      if p.tag == .map {
        fields = try ["first", "second", "similar"].map { try p.mapObject.get(c.vm.heap.makeString($0)) ?? .nil }
      } else if p.tag == .list, p.listObject.items.count == 3 {
        fields = p.listObject.items
      } else { throw c.error("a pair is {first, second, similar} or [i, j, similar], got \(p.typeNameWithArticle)") }
      guard fields[0].tag == .int, fields[1].tag == .int, fields[2].tag == .bool else {
        throw c.error("a pair is two task indices and a bool")
      }
      return TaskPair(fields[0].int, fields[1].int, similar: fields[2].bool)
    }
  }

  static func pairRecords(_ pairs: [TaskPair], _ vm: VM) -> Value {
    vm.heap.makeList(pairs.map { vm.heap.makeMap([("first", Value($0.first)), ("second", Value($0.second)), ("similar", Value($0.similar))]) })
  }

  static func diagnosticsRecord(_ d: SiameseDiagnostics, _ vm: VM) -> Value {
    vm.heap.makeMap([("count", Value(d.count)), ("accuracy", Value(d.accuracy)), ("auc", Value(d.auc)),
                     ("loss", Value(d.loss)), ("positive_rate", Value(d.positiveRate))])
  }

  static let example = "let f = siamese(2, hidden: [16], embedding: 8)\nlet goals = [[0.1, 0.1], [0.15, 0.1], [0.9, 0.8], [0.85, 0.9]]\nlet pairs = [[0, 1, true], [2, 3, true], [0, 2, false], [1, 3, false]]"

  static func sizes(_ v: Value, _ c: NativeCall, _ name: String) throws -> [Int] {
    guard v.tag == .list else { throw c.error("\(name) must be a list of layer sizes") }
    return try v.listObject.items.map { x in
      guard x.tag == .int else { throw c.error("\(name) must be a list of ints") }
      return x.int
    }
  }

  static let all: [Primitive] = [
    Primitive("siamese", [ParameterSpec("input_size", .int, doc: "numbers per task feature vector, or per transition row (2·observation + action + 1) for the transitions encoder"),
                          ParameterSpec("encoder", .string, default: .string("features"), doc: "\"features\" (an MLP over task features) or \"transitions\" (a permutation-invariant encoder over a set of (s, a, r, s′))"),
                          ParameterSpec("hidden", .list, default: .nil, doc: "e_φ's hidden sizes (for transitions: ρ's); default [64, 64]"),
                          ParameterSpec("set_hidden", .list, default: .nil, doc: "transitions only: the per-transition MLP's hidden sizes; default [64, 64]"),
                          ParameterSpec("embedding", .int, default: .int(32)),
                          ParameterSpec("activation", .string, default: .string("tanh"), doc: "\"tanh\" or \"relu\""),
                          ParameterSpec("lr", .number, default: .float(1e-3), doc: "β, Adam's step size"),
                          ParameterSpec("batch", .int, default: .int(64), doc: "pairs per minibatch, half similar and half not"),
                          ParameterSpec("transitions_per_task", .int, default: .int(32)),
                          ParameterSpec("seed", .optional(.int), default: .nil, doc: "default: the run's seed")],
              returns: "a siamese net", category: "hindsight",
              doc: "The Siamese task metric f_φ(Tᵢ, Tⱼ) = σ(w·|e_φ(Tᵢ) − e_φ(Tⱼ)| + b) ∈ [0, 1] of the note's §II: its confidence that two tasks are alike. Trained with binary cross-entropy on class-balanced minibatches of labelled pairs (`.train`); `hindsight(...)` trains it inside Algorithm 1.",
              example: example + "\nprint(f)") { c in
      guard let encoder = SiameseConfiguration.Encoder(rawValue: c.string(1)) else { throw c.error("encoder must be \"features\" or \"transitions\"") }
      var config = SiameseConfiguration(inputSize: c.int(0), encoder: encoder)
      if c.isGiven(2) { config.hidden = try sizes(c[2], c, "hidden") }
      if c.isGiven(3) { config.setHidden = try sizes(c[3], c, "set_hidden") }
      config.embeddingSize = c.int(4)
      guard let activation = MultilayerPerceptron.Activation(rawValue: c.string(5)) else { throw c.error("activation must be \"tanh\" or \"relu\"") }
      config.activation = activation
      config.learningRate = c.double(6); config.batchSize = c.int(7); config.transitionsPerTask = c.int(8)
      config.seed = c.isGiven(9) ? UInt64(truncatingIfNeeded: c[9].int) : c.state.seed
      return c.vm.heap.makeObject(SiameseBox(try SiameseNetwork(configuration: config)))
    },
    Primitive("train", on: .object("siamese"), [ParameterSpec("tasks", .list, doc: "feature lists, environments, or batches (transitions)"),
                                                ParameterSpec("pairs", .list, doc: "{first, second, similar} records or [i, j, similar] lists"),
                                                ParameterSpec("steps", .int, default: .int(100))],
              returns: "the mean binary cross-entropy of the steps", category: "hindsight",
              doc: "`steps` Adam steps on class-balanced minibatches of the labelled pairs (Algorithm 1, line 16). Both labels must occur.",
              example: example + "\nprint(f.train(goals, pairs, steps: 20) > 0)") { c in
      let b = try box(c)
      let loss = try b.network.train(tasks: try descriptions(c[0], c), pairs: try pairs(c[1], c), steps: c.int(2))
      return Value(loss)
    },
    Primitive("similarity", on: .object("siamese"), [ParameterSpec("a", .any), ParameterSpec("b", .any)],
              returns: "f_φ(a, b) in [0, 1]", category: "hindsight",
              doc: "The net's confidence that two tasks are alike (symmetric).",
              example: example + "\nprint(f.similarity(goals[0], goals[1]) == f.similarity(goals[1], goals[0]))") { c in
      Value(try box(c).network.similarity(try description(c[0], c), try description(c[1], c)))
    },
    Primitive("matrix", on: .object("siamese"), [ParameterSpec("tasks", .list)],
              returns: "an N×N list of lists", category: "hindsight",
              doc: "f_φ for every pair of tasks (each task embedded once).",
              example: example + "\nprint(len(f.matrix(goals)))") { c in
      RLValues.matrix(try box(c).network.similarityMatrix(try descriptions(c[0], c)), c.vm)
    },
    Primitive("evaluate", on: .object("siamese"), [ParameterSpec("tasks", .list), ParameterSpec("pairs", .list)],
              returns: "{count, accuracy, auc, loss, positive_rate}", category: "hindsight",
              doc: "f_φ on labelled pairs: accuracy at 0.5, ROC AUC (ties count ½; nan when a label is absent), binary cross-entropy, label base rate.",
              example: example + "\nprint(f.evaluate(goals, pairs).count)") { c in
      diagnosticsRecord(try box(c).network.diagnostics(try descriptions(c[0], c), pairs: try pairs(c[1], c)), c.vm)
    },
    Primitive("one_shot", on: .object("siamese"), [ParameterSpec("tasks", .list), ParameterSpec("pairs", .list),
                                                   ParameterSpec("ways", .int, default: .int(5)), ParameterSpec("trials", .int, default: .int(200)),
                                                   ParameterSpec("seed", .optional(.int), default: .nil)],
              returns: "{accuracy, trials, eligible_queries}", category: "hindsight",
              doc: "N-way one-shot retrieval: for a query task, one task labelled similar and N−1 labelled dissimilar; correct when f_φ ranks the similar one strictly first. Queries without enough candidates are skipped.",
              example: example + "\nprint(f.one_shot(goals, pairs, ways: 2).trials)") { c in
      let f = try box(c).network
      var rng = RandomStream(seed: c.isGiven(4) ? UInt64(truncatingIfNeeded: c[4].int) : c.state.seed, stream: [0x0515])
      let r = try oneShotRetrievalAccuracy(similarity: try f.similarityMatrix(try descriptions(c[0], c)), pairs: try pairs(c[1], c),
                                           ways: c.int(2), trials: c.int(3), using: &rng)
      return c.vm.heap.makeMap([("accuracy", Value(r.accuracy)), ("trials", Value(r.trials)), ("eligible_queries", Value(r.eligibleQueries))])
    },
    Primitive("save", on: .object("siamese"), [ParameterSpec("path", .string)], category: "hindsight",
              doc: "Writes φ as a safetensors file with the configuration in its metadata, atomically.",
              example: example + "\nf.save(\"/tmp/hm_doc_siamese.safetensors\")") { c in
      try box(c).network.save(to: c.string(0), metadata: ["writer": "hmaml"])
      return .nil
    },
    Primitive("load_siamese", [ParameterSpec("path", .string)], returns: "a siamese net", category: "hindsight",
              doc: "Reads a Siamese net written by `.save` (validated: format, configuration, parameter names and shapes).",
              example: example + "\nf.save(\"/tmp/hm_doc_siamese.safetensors\")\nprint(load_siamese(\"/tmp/hm_doc_siamese.safetensors\"))") { c in
      c.vm.heap.makeObject(SiameseBox(try SiameseNetwork.load(from: c.string(0))))
    },
    Primitive("config", on: .property("siamese"), returns: "a record", category: "hindsight",
              doc: "The net's configuration (sizes, encoder, learning rate, seed).",
              example: example + "\nprint(f.config.encoder)") { c in
      try LearnerPrimitives.configurationRecord(try box(c).network.configuration, c.vm)
    },
    Primitive("task_pairs", [ParameterSpec("divergences", .list, doc: "an N×N matrix"),
                             ParameterSpec("epsilon", .optional(.number), default: .nil, doc: "similar when the divergence is < ε"),
                             ParameterSpec("quantile", .optional(.number), default: .nil, doc: "or: ε as this quantile of the off-diagonal divergences")],
              returns: "a list of {first, second, similar} for i < j", category: "hindsight",
              doc: "Labels every pair of tasks (Algorithm 1, lines 11–15): similar when their divergence is below ε. Give ε, or a quantile so that both labels occur.",
              example: "let d = [[0, 1, 4], [1, 0, 3], [4, 3, 0]]\nprint(task_pairs(d, epsilon: 2))") { c in
      let d = try RLValues.matrix(c[0], c, "divergences")
      guard d.allSatisfy({ $0.count == d.count }) else { throw c.error("divergences must be a square matrix") }
      let eps: Double
      switch (c.isGiven(1), c.isGiven(2)) {
      case (true, false): eps = c.double(1)
      case (false, true): eps = try epsilon(quantile: c.double(2), of: d)
      default: throw c.error("give exactly one of epsilon and quantile")
      }
      return pairRecords(labelledTaskPairs(d, epsilon: eps), c.vm)
    },
  ]
}
