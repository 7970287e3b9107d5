#if canImport(Glibc)
import Glibc
#endif
import HMTensor

/// Two tasks of a task list and whether they are labelled similar (Algorithm 1, lines 11–15:
/// label 1 when P(π_θ′ᵢ, π_θ′ⱼ) < ε). `first` and `second` index the task list passed with the
/// pairs; the order within a pair does not matter (f_φ is symmetric).
public struct TaskPair: Sendable, Equatable, Codable {
  public var first: Int
  public var second: Int
  public var similar: Bool

  public init(_ first: Int, _ second: Int, similar: Bool) {
    self.first = first
    self.second = second
    self.similar = similar
  }
}

/// The task metric of Hindsight MAML (the note's §II; DESIGN.md §4):
///
///     f_φ(Tᵢ, Tⱼ) = σ(w · |e_φ(Tᵢ) − e_φ(Tⱼ)| + b) ∈ [0, 1],
///
/// its confidence that two tasks are similar. It is symmetric by construction and
/// f_φ(T, T) = σ(b). The embedding e_φ is an MLP over task features, or a Deep Sets encoder
/// ρ(mean of h(transition)) over a set of transitions (``SiameseConfiguration/Encoder``).
///
/// Parameters φ, in order (weights `[in, out]`, Xavier-uniform; biases zero, as
/// ``MultilayerPerceptron``): for `.transitions` first h, `set.layer1.weight`, …,
/// `set.output.bias`; then e_φ (or ρ) `encoder.layer1.weight`, …, `encoder.embedding.bias`
/// `[d]`; then `head.weight` w `[d]`, initialised to −1/√d (so f_φ starts decreasing in the
/// distance), and `head.bias` b `[1]`, initialised to 0. φ₀ is drawn from the stream
/// `(seed, [1])`; training minibatches from `(seed, [2, step])` (``train(tasks:pairs:steps:)``).
///
/// ```swift
/// var f = try SiameseNetwork(configuration: SiameseConfiguration(inputSize: 2))
/// let tasks = goals.map { TaskDescription.features($0) }
/// let meanLoss = try f.train(tasks: tasks, pairs: labelledPairs, steps: 500)
/// let s = try f.similarity(tasks[0], tasks[1])     // in [0, 1]
/// ```
public struct SiameseNetwork {
  /// The configuration the network was built with.
  public let configuration: SiameseConfiguration
  /// φ, detached (no recorded computation).
  public internal(set) var parameters: ParameterList
  /// Adam steps taken so far over all ``train(tasks:pairs:steps:)`` calls; names the next
  /// minibatch's random stream.
  public internal(set) var trainingSteps = 0
  /// Adam's state; it persists across `train` calls (not across save and load).
  var optimizer: Adam
  /// h, the per-transition network (`.transitions` only).
  let setNetwork: MultilayerPerceptron?
  /// e_φ for `.features`, ρ for `.transitions`.
  let encoderNetwork: MultilayerPerceptron

  /// A network with fresh parameters φ₀ drawn from the stream `(seed, [1])`.
  /// - Throws: `RLError` naming `siamese` for an invalid configuration.
  public init(configuration: SiameseConfiguration) throws {
    try self.init(configuration: configuration, parameters: nil)
  }

  /// A network with the given φ (checked against the configuration's names and shapes), or
  /// fresh ones when nil.
  init(configuration: SiameseConfiguration, parameters given: ParameterList?) throws {
    try configuration.validate()
    self.configuration = configuration
    let c = configuration
    switch c.encoder {
    case .features:
      setNetwork = nil
      encoderNetwork = try MultilayerPerceptron(sizes: [c.inputSize] + c.hidden + [c.embeddingSize],
                                                activation: c.activation, outputName: "embedding")
    case .transitions:
      let h = try MultilayerPerceptron(sizes: [c.inputSize] + c.setHidden, activation: c.activation)
      setNetwork = h
      encoderNetwork = try MultilayerPerceptron(sizes: [h.sizes[h.sizes.count - 1]] + c.hidden + [c.embeddingSize],
                                                activation: c.activation, outputName: "embedding")
    }
    optimizer = Adam(learningRate: c.learningRate)
    if let given {
      parameters = given.detached()
      let expected = parameterShapes
      guard given.names == expected.map(\.0) else {
        throw RLError(.shapeMismatch, "siamese", "parameters are named \(given.names), expected \(expected.map(\.0))")
      }
      try checkParameterShapes(given, expected, operation: "siamese")
      guard given.tensors.allSatisfy({ $0.dtype == c.dtype }) else {
        throw RLError(.shapeMismatch, "siamese", "parameters must all be \(c.dtype)")
      }
      guard given.tensors.allSatisfy({ $0.toArray().allSatisfy(\.isFinite) }) else {
        throw RLError(.invalidArgument, "siamese", "parameters hold non-finite numbers")
      }
      return
    }
    var rng = RandomStream(seed: c.seed, stream: [1])
    let d = c.embeddingSize
    let prefixed = { (prefix: String, pairs: [(String, Tensor)]) in pairs.map { (prefix + $0.0, $0.1) } }
    var pairs = try prefixed("set.", setNetwork?.initialParameters(dtype: c.dtype, using: &rng) ?? [])
    pairs += try prefixed("encoder.", encoderNetwork.initialParameters(dtype: c.dtype, using: &rng))
    pairs.append(("head.weight", try Tensor.full([d], -1 / Double(d).squareRoot(), dtype: c.dtype)))
    pairs.append(("head.bias", try Tensor.zeros([1], dtype: c.dtype)))
    parameters = try ParameterList(pairs)
  }

  /// The `(name, shape)` of every parameter of φ, in order.
  public var parameterShapes: [(String, [Int])] {
    (setNetwork?.parameterShapes.map { ("set." + $0.0, $0.1) } ?? [])
      + encoderNetwork.parameterShapes.map { ("encoder." + $0.0, $0.1) }
      + [("head.weight", [configuration.embeddingSize]), ("head.bias", [1])]
  }

  // MARK: Evaluation

  /// e_φ(T) of every task, `[N][embeddingSize]`. Transition sets use all their transitions.
  /// - Throws: `RLError` naming `siamese.embeddings` for an empty list or a task that does not
  ///   fit the configuration (wrong encoder, size, non-finite numbers).
  /// - Complexity: O(N · encoder) (one batched forward pass).
  public func embeddings(_ tasks: [TaskDescription]) throws -> [[Double]] {
    let op = "siamese.embeddings"
    let values = try validatedValues(tasks, operation: op)
    let e = try embed(values, parameters: parameters, operation: op).toArray()
    let d = configuration.embeddingSize
    return (0..<tasks.count).map { Array(e[($0 * d)..<(($0 + 1) * d)]) }
  }

  /// f_φ(a, b) ∈ [0, 1]. Each task is embedded on its own, so f_φ(a, b) == f_φ(b, a) exactly.
  /// - Throws: `RLError` naming `siamese.similarity` for a task that does not fit.
  public func similarity(_ a: TaskDescription, _ b: TaskDescription) throws -> Double {
    let op = "siamese.similarity"
    let ea = try embed([try a.validatedValues(for: configuration, index: 0, operation: op)], parameters: parameters, operation: op)
    let eb = try embed([try b.validatedValues(for: configuration, index: 1, operation: op)], parameters: parameters, operation: op)
    return logistic(head.logit(ea.toArray()[...], eb.toArray()[...]))
  }

  /// f_φ(Tᵢ, Tⱼ) for every pair, `[N][N]`, symmetric, with σ(b) on the diagonal.
  /// - Throws: `RLError` naming `siamese.similarityMatrix` as ``embeddings(_:)`` does.
  /// - Complexity: O(N · encoder + N² · d): every task is embedded once.
  public func similarityMatrix(_ tasks: [TaskDescription]) throws -> [[Double]] {
    let op = "siamese.similarityMatrix"
    let e = try embed(try validatedValues(tasks, operation: op), parameters: parameters, operation: op).toArray()
    let n = tasks.count, d = configuration.embeddingSize, head = head
    var m = [[Double]](repeating: [Double](repeating: 0, count: n), count: n)
    for i in 0..<n {
      for j in i..<n {
        let s = logistic(head.logit(e[(i * d)..<((i + 1) * d)], e[(j * d)..<((j + 1) * d)]))
        m[i][j] = s
        m[j][i] = s
      }
    }
    return m
  }

  /// f_φ(T_first, T_second) for each pair (labels are ignored), `[pairs.count]`.
  /// - Throws: `RLError` naming `siamese.similarities` as ``embeddings(_:)`` does, or for a pair
  ///   index outside the task list.
  /// - Complexity: O(N · encoder + P · d).
  public func similarities(_ tasks: [TaskDescription], pairs: [TaskPair]) throws -> [Double] {
    try logits(tasks, pairs: pairs, operation: "siamese.similarities").map(logistic)
  }

  /// z = w · |e_φ(T_first) − e_φ(T_second)| + b of each pair, in double precision.
  func logits(_ tasks: [TaskDescription], pairs: [TaskPair], operation op: String) throws -> [Double] {
    let values = try validatedValues(tasks, operation: op)
    try checkPairs(pairs, taskCount: tasks.count, operation: op)
    let e = try embed(values, parameters: parameters, operation: op).toArray()
    let d = configuration.embeddingSize, head = head
    return pairs.map { p in
      head.logit(e[(p.first * d)..<((p.first + 1) * d)], e[(p.second * d)..<((p.second + 1) * d)])
    }
  }

  // MARK: The forward pass

  /// w and b as doubles.
  var head: SiameseHead {
    SiameseHead(weight: parameters[parameters.count - 2].toArray(), bias: parameters[parameters.count - 1].toArray()[0])
  }

  /// Every task's validated numbers (``TaskDescription/validatedValues(for:index:operation:)``).
  func validatedValues(_ tasks: [TaskDescription], operation op: String) throws -> [[Double]] {
    guard !tasks.isEmpty else { throw RLError(.invalidArgument, op, "the task list is empty") }
    return try tasks.enumerated().map { try $0.element.validatedValues(for: configuration, index: $0.offset, operation: op) }
  }

  /// e_φ of tasks given by validated numbers, `[N, d]`, differentiable in `parameters`.
  /// Transition sets may differ in size; pooling is the mean over each set (Deep Sets).
  func embed(_ values: [[Double]], parameters: ParameterList, operation op: String) throws -> Tensor {
    let c = configuration
    return try policyCall(op) {
      guard let h = setNetwork else {
        let x = try Tensor(values.flatMap { $0 }, shape: [values.count, c.inputSize], dtype: c.dtype)
        return try encoderNetwork.forward(x, parameters: parameters)
      }
      let counts = values.map { $0.count / c.inputSize }
      let x = try Tensor(values.flatMap { $0 }, shape: [counts.reduce(0, +), c.inputSize], dtype: c.dtype)
      var rows = try h.forward(x, parameters: parameters)
      rows = c.activation == .tanh ? rows.tanh() : rows.relu()
      let width = h.sizes[h.sizes.count - 1]
      let pooled: Tensor
      if let m = counts.first, counts.allSatisfy({ $0 == m }) {
        pooled = try rows.reshaped([values.count, m, width]).mean(axis: 1)
      } else {
        var start = 0
        pooled = try Tensor.concat(counts.map { n in
          defer { start += n }
          return try rows.slice(axis: 0, start, start + n).mean(axis: 0, keepdims: true)
        }, axis: 0)
      }
      return try encoderNetwork.forward(pooled, parameters: parameters, offset: 2 * h.layerCount)
    }
  }

  /// z = w · |eᵢ − eⱼ| + b per row, `[P]`, differentiable.
  func logits(_ first: Tensor, _ second: Tensor, parameters: ParameterList) throws -> Tensor {
    try ((first - second).abs() * parameters[parameters.count - 2]).sum(axis: 1) + parameters[parameters.count - 1]
  }
}

/// The head (w, b) in double precision, for evaluation.
struct SiameseHead {
  let weight: [Double]
  let bias: Double

  /// z = Σₖ wₖ |aₖ − bₖ| + b, summed in index order (so logit(a, b) == logit(b, a) exactly).
  func logit(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> Double {
    var z = bias
    for (k, (x, y)) in zip(a, b).enumerated() { z += weight[k] * Swift.abs(x - y) }
    return z
  }
}

/// Checks that every pair indexes a list of `taskCount` tasks.
/// - Throws: `RLError` (`.outOfRange`) naming `operation` and the first bad pair.
func checkPairs(_ pairs: [TaskPair], taskCount: Int, operation: String) throws {
  for (k, p) in pairs.enumerated() where !(0..<taskCount).contains(p.first) || !(0..<taskCount).contains(p.second) {
    throw RLError(.outOfRange, operation, "pair \(k) is (\(p.first), \(p.second)) but there are \(taskCount) tasks")
  }
}

/// σ(z) = 1/(1 + e^−z), evaluated without overflow for either sign of z.
func logistic(_ z: Double) -> Double {
  z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
}
