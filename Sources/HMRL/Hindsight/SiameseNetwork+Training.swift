import HMTensor

/// Training f_φ with binary cross-entropy on class-balanced minibatches of labelled pairs
/// (Algorithm 1, line 16: φ ← φ − β ∇φ L_φ(f_φ(Tᵢ, Tⱼ), label), with Adam for the step).
extension SiameseNetwork {
  /// Takes `steps` Adam steps on minibatches drawn from `pairs` and returns the mean BCE (nats)
  /// of the minibatches, each measured before its step.
  ///
  /// Minibatch k (counting ``trainingSteps`` over all calls) is drawn from the stream
  /// `(seed, [2, k])`: ⌊batchSize/2⌋ similar and ⌈batchSize/2⌉ dissimilar pairs, uniformly with
  /// replacement; then, for the `.transitions` encoder, `transitionsPerTask` transitions with
  /// replacement for each distinct task of the minibatch, in order of first appearance. So
  /// the same seed gives the same parameters and losses, whatever the thread count.
  ///
  /// The loss is computed from the logit z = w·|Δ| + b as softplus(z) − y·z, which equals
  /// −[y log σ(z) + (1 − y) log(1 − σ(z))] without evaluating log σ.
  ///
  /// - Parameters:
  ///   - tasks: The task list the pairs index.
  ///   - pairs: Labelled pairs; both labels must occur.
  ///   - steps: The number of Adam steps, at least 1.
  /// - Throws: `RLError` naming `siamese.train` for tasks that do not fit, a pair index out of
  ///   range, `pairs` without a similar or without a dissimilar pair, `steps < 1`, or a
  ///   non-finite loss (`.numerical`; φ is then left as it was before that step).
  /// - Complexity: O(steps · batchSize · (encoder + d)).
  public mutating func train(tasks: [TaskDescription], pairs: [TaskPair], steps: Int) throws -> Double {
    let op = "siamese.train"
    guard steps >= 1 else { throw RLError(.invalidArgument, op, "steps must be at least 1, got \(steps)") }
    let values = try validatedValues(tasks, operation: op)
    try checkPairs(pairs, taskCount: tasks.count, operation: op)
    let similar = pairs.filter(\.similar), dissimilar = pairs.filter { !$0.similar }
    guard !similar.isEmpty, !dissimilar.isEmpty else {
      throw RLError(.invalidArgument, op, "the \(pairs.count) pairs need both labels to train on class-balanced minibatches, got \(similar.count) similar and \(dissimilar.count) dissimilar")
    }
    var total = 0.0
    for _ in 0..<steps {
      var rng = RandomStream(seed: configuration.seed, stream: [2, UInt64(trainingSteps)])
      let half = configuration.batchSize / 2
      let batch = (0..<half).map { _ in similar[Int(rng.next() % UInt64(similar.count))] }
        + (half..<configuration.batchSize).map { _ in dissimilar[Int(rng.next() % UInt64(dissimilar.count))] }
      let (batchValues, batchPairs) = minibatch(values, pairs: batch, using: &rng)
      let variables = parameters.variables()
      let loss = try lossTensor(batchValues, pairs: batchPairs, parameters: variables, operation: op)
      let value = try loss.item()
      guard value.isFinite else {
        throw RLError(.numerical, op, "the loss of step \(trainingSteps) is \(value)")
      }
      let grads = try gradients(of: loss, wrt: variables.tensors)
      parameters = try policyCall(op) { try optimizer.step(variables, gradients: grads).detached() }
      trainingSteps += 1
      total += value
    }
    return total / Double(steps)
  }

  /// The distinct tasks of `pairs` (in order of first appearance) and the pairs re-indexed into
  /// them; for `.transitions`, each task is replaced by `transitionsPerTask` of its transitions
  /// drawn with replacement from `rng`, so every set in the minibatch has the same size.
  func minibatch(_ values: [[Double]], pairs: [TaskPair], using rng: inout RandomStream) -> ([[Double]], [TaskPair]) {
    var local: [Int: Int] = [:]
    var order: [Int] = []
    let reindexed = pairs.map { p -> TaskPair in
      for t in [p.first, p.second] where local[t] == nil {
        local[t] = order.count
        order.append(t)
      }
      return TaskPair(local[p.first] ?? 0, local[p.second] ?? 0, similar: p.similar)
    }
    guard configuration.encoder == .transitions else { return (order.map { values[$0] }, reindexed) }
    let size = configuration.inputSize, m = configuration.transitionsPerTask
    let sampled = order.map { t -> [Double] in
      let rows = values[t], n = rows.count / size
      var out: [Double] = []
      out.reserveCapacity(m * size)
      for _ in 0..<m {
        let r = Int(rng.next() % UInt64(n))
        out += rows[(r * size)..<((r + 1) * size)]
      }
      return out
    }
    return (sampled, reindexed)
  }

  /// The mean BCE of `pairs` over tasks given by validated numbers, a scalar differentiable in
  /// `parameters` (to any order).
  func lossTensor(_ values: [[Double]], pairs: [TaskPair], parameters: ParameterList, operation op: String) throws -> Tensor {
    let embedded = try embed(values, parameters: parameters, operation: op)
    return try policyCall(op) {
      let d = configuration.embeddingSize, dtype = configuration.dtype
      func rows(_ index: (TaskPair) -> Int) throws -> Tensor {
        let indices = pairs.flatMap { p in [Double](repeating: Double(index(p)), count: d) }
        return try embedded.gather(axis: 0, indices: try Tensor(indices, shape: [pairs.count, d], dtype: dtype))
      }
      let z = try logits(try rows(\.first), try rows(\.second), parameters: parameters)
      let y = try Tensor(pairs.map { $0.similar ? 1.0 : 0.0 }, shape: [pairs.count], dtype: dtype)
      return try (z.softplus() - y * z).mean()
    }
  }

  /// The mean BCE of `pairs` with parameters φ (every transition of a set is used), a scalar
  /// differentiable in `parameters`; for gradient checks and held-out losses.
  /// - Throws: `RLError` naming `siamese.loss` for tasks or pairs that do not fit.
  func loss(_ tasks: [TaskDescription], pairs: [TaskPair], parameters: ParameterList) throws -> Tensor {
    let op = "siamese.loss"
    let values = try validatedValues(tasks, operation: op)
    try checkPairs(pairs, taskCount: tasks.count, operation: op)
    guard !pairs.isEmpty else { throw RLError(.invalidArgument, op, "no pairs") }
    return try lossTensor(values, pairs: pairs, parameters: parameters, operation: op)
  }
}
