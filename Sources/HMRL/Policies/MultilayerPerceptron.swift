import HMTensor

/// A fully connected network `x ↦ W_L·σ(… σ(x W₁ + b₁) …) + b_L`, the body of the MLP
/// policies. Weights are `[in, out]` (so `h = x @ W + b`, the JAX layout), Xavier-uniform
/// initialised; biases are zero (pytorch-maml-rl's `weight_init`).
public struct MultilayerPerceptron: Sendable, Equatable {
  /// The hidden nonlinearity.
  public enum Activation: String, Sendable, CaseIterable {
    case tanh, relu
  }

  /// Layer widths from input to output, e.g. `[2, 100, 100, 2]`.
  public let sizes: [Int]
  /// The hidden activation (none after the last layer).
  public let activation: Activation
  /// Parameter name prefix of layer i: `"layer\(i+1)"`, the last one `outputName`.
  public let outputName: String

  /// - Throws: `RLError` naming `mlp` for fewer than two sizes or a size < 1.
  public init(sizes: [Int], activation: Activation = .tanh, outputName: String = "output") throws {
    guard sizes.count >= 2, sizes.allSatisfy({ $0 >= 1 && $0 <= 1 << 20 }) else {
      throw RLError(.invalidArgument, "mlp", "layer sizes must be at least two positive numbers, got \(sizes)")
    }
    self.sizes = sizes
    self.activation = activation
    self.outputName = outputName
  }

  /// The number of weight layers.
  public var layerCount: Int { sizes.count - 1 }

  /// The `(name, shape)` of every parameter in order: `layer1.weight`, `layer1.bias`, …,
  /// `<outputName>.weight`, `<outputName>.bias`.
  public var parameterShapes: [(String, [Int])] {
    (0..<layerCount).flatMap { i -> [(String, [Int])] in
      let name = i == layerCount - 1 ? outputName : "layer\(i + 1)"
      return [("\(name).weight", [sizes[i], sizes[i + 1]]), ("\(name).bias", [sizes[i + 1]])]
    }
  }

  /// Xavier-uniform weights and zero biases, in `dtype`, drawn from `rng` layer by layer.
  public func initialParameters(dtype: DType = .float32, using rng: inout RandomStream) throws -> [(String, Tensor)] {
    try parameterShapes.map { name, shape in
      let initializer: Initializer = shape.count == 2 ? .xavierUniform(gain: 1) : .zeros
      return (name, try initializer.tensor(shape, dtype: dtype, using: &rng))
    }
  }

  /// The network's output for `x` `[N, sizes[0]]` → `[N, sizes.last]`, using
  /// `parameters[offset ..< offset + 2·layerCount]` (checked by the caller).
  func forward(_ x: Tensor, parameters: ParameterList, offset: Int = 0) throws -> Tensor {
    var h = x
    for i in 0..<layerCount {
      h = try h.matmul(parameters[offset + 2 * i]) + parameters[offset + 2 * i + 1]
      if i < layerCount - 1 {
        h = activation == .tanh ? h.tanh() : h.relu()
      }
    }
    return h
  }

  /// The same function as ``forward(_:parameters:offset:)`` for sampling, where no gradient is
  /// needed: for float32 tanh networks the bias and tanh are fused into one vectorised pass
  /// (``simdTanh``, a few ulp from libm); other networks use `forward`.
  func evaluateWithoutGradient(_ x: Tensor, parameters: ParameterList, offset: Int = 0) throws -> Tensor {
    guard activation == .tanh, x.dtype == .float32,
          (0..<(2 * layerCount)).allSatisfy({ parameters[offset + $0].dtype == .float32 }) else {
      return try forward(x.detached(), parameters: parameters.detached(), offset: offset)
    }
    var h = x.detached()
    for i in 0..<layerCount {
      let weight = parameters[offset + 2 * i].detached()
      var values = try h.matmul(weight).toFloatArray()
      addBiasAndTanh(&values, bias: parameters[offset + 2 * i + 1].toFloatArray(), activation: i < layerCount - 1)
      h = try Tensor(values, shape: [x.shape[0], sizes[i + 1]])
    }
    return h
  }
}
