/// An ordered list of named tensors: a model's parameters θ, an adapted θ', a gradient or an
/// optimiser's moments. Policies are functional (DESIGN §4), so an adapted parameter list is
/// just another `ParameterList`.
///
/// ```swift
/// var rng = RandomStream(seed: 0)
/// let theta = try ParameterList([
///   ("W1", Initializer.xavierUniform().tensor([1, 40], using: &rng)),
///   ("b1", Initializer.zeros.tensor([40], using: &rng)),
/// ]).variables()
/// let flat = try theta.flattened()       // [80]
/// let back = try theta.unflattened(flat) // same names and shapes
/// ```
public struct ParameterList: Sequence, CustomStringConvertible, Sendable {
  /// Parameter names, in order.
  public private(set) var names: [String]
  /// Parameter tensors, in the order of `names`.
  public private(set) var tensors: [Tensor]

  /// A list of (name, tensor) pairs. - Throws: `TensorError.invalidArgument` on a repeated name.
  public init(_ pairs: [(String, Tensor)]) throws {
    names = pairs.map(\.0)
    tensors = pairs.map(\.1)
    var seen = Set<String>()
    for n in names where !seen.insert(n).inserted {
      throw TensorError(.invalidArgument, "ParameterList", "name '\(n)' is repeated")
    }
  }

  /// Parameters with the names of `self` and the given tensors (same count).
  /// - Throws: `TensorError.invalidArgument` when the counts differ.
  public func replacing(_ newTensors: [Tensor]) throws -> ParameterList {
    guard newTensors.count == tensors.count else {
      throw TensorError(.invalidArgument, "ParameterList",
                        "\(newTensors.count) tensors for \(tensors.count) parameters")
    }
    var p = self
    p.tensors = newTensors
    return p
  }

  /// The number of parameters (tensors).
  public var count: Int { tensors.count }
  /// The total number of scalars over all parameters.
  public var scalarCount: Int { tensors.reduce(0) { $0 + $1.count } }

  /// The tensor named `name`, or nil.
  public subscript(name: String) -> Tensor? {
    names.firstIndex(of: name).map { tensors[$0] }
  }

  /// The tensor at `index` (a programming error if out of range, as for arrays).
  public subscript(index: Int) -> Tensor { tensors[index] }

  /// Iterates `(name, tensor)` pairs in order.
  public func makeIterator() -> Zip2Sequence<[String], [Tensor]>.Iterator {
    zip(names, tensors).makeIterator()
  }

  /// Every tensor as a differentiation variable (a fresh leaf sharing the values).
  public func variables() -> ParameterList {
    var p = self
    p.tensors = tensors.map { $0.variable() }
    return p
  }

  /// Every tensor detached from its recorded computation.
  public func detached() -> ParameterList {
    var p = self
    p.tensors = tensors.map { $0.detached() }
    return p
  }

  /// All parameters flattened row-major and concatenated in order (differentiable).
  /// - Throws: `TensorError.invalidArgument` for an empty list.
  public func flattened() throws -> Tensor {
    try Tensor.concat(tensors.map { $0.flattened() }, axis: 0)
  }

  /// Parameters with `self`'s names and shapes read from a flat vector (differentiable), the
  /// inverse of ``flattened()``.
  /// - Throws: `TensorError.shapeMismatch` when `flat` is not `[scalarCount]`.
  public func unflattened(_ flat: Tensor) throws -> ParameterList {
    guard flat.shape == [scalarCount] else {
      throw TensorError.shapes("unflatten", flat.shape, [scalarCount], "differ (flat vector and parameter count)")
    }
    var start = 0
    var out: [Tensor] = []
    for t in tensors {
      let part = try flat.slice(axis: 0, start, start + t.count).reshaped(t.shape)
      out.append(part)
      start += t.count
    }
    return try replacing(out)
  }

  /// `self[i] op other[i]` for every parameter, e.g. the MAML step θ − α ∇θ.
  /// - Throws: `TensorError.invalidArgument` when counts differ; any error of `body`.
  public func zipMap(_ other: [Tensor], _ body: (Tensor, Tensor) throws -> Tensor) throws -> ParameterList {
    guard other.count == count else {
      throw TensorError(.invalidArgument, "ParameterList", "\(other.count) tensors for \(count) parameters")
    }
    return try replacing(zip(tensors, other).map(body))
  }

  /// Names and shapes, e.g. `ParameterList(W1: [1, 40], b1: [40])`.
  public var description: String {
    "ParameterList(" + zip(names, tensors).map { "\($0): \($1.shape)" }.joined(separator: ", ") + ")"
  }
}

/// How to fill a new parameter tensor.
public enum Initializer: Sendable {
  /// All zeros (biases).
  case zeros
  /// Glorot & Bengio (2010): U(−a, a) with a = gain·√(6 / (fanIn + fanOut)); for a weight
  /// `[..., in, out]` the fans are `in` and `out` times the product of leading axes; for a
  /// vector both fans are its length.
  case xavierUniform(gain: Double = 1)
  /// N(mean, std²).
  case normal(mean: Double = 0, std: Double = 1)
  /// U(low, high).
  case uniform(low: Double, high: Double)

  /// A tensor of `shape` drawn from `rng`.
  /// - Throws: `TensorError.invalidShape` for a negative dimension, `.invalidArgument` for bad
  ///   distribution parameters.
  public func tensor(_ shape: [Int], dtype: DType = .float32, using rng: inout RandomStream) throws -> Tensor {
    switch self {
    case .zeros:
      return try Tensor.zeros(shape, dtype: dtype)
    case .xavierUniform(let gain):
      let (fanIn, fanOut): (Int, Int)
      if shape.count >= 2 {
        let lead = shape.dropLast(2).reduce(1, *)
        fanIn = shape[shape.count - 2] * lead
        fanOut = shape[shape.count - 1] * lead
      } else {
        fanIn = shape.first ?? 1
        fanOut = fanIn
      }
      let a = gain * (6.0 / Double(Swift.max(1, fanIn + fanOut))).squareRoot()
      return try Tensor.uniform(shape, low: -a, high: a, dtype: dtype, using: &rng)
    case .normal(let mean, let std):
      return try Tensor.normal(shape, mean: mean, std: std, dtype: dtype, using: &rng)
    case .uniform(let low, let high):
      return try Tensor.uniform(shape, low: low, high: high, dtype: dtype, using: &rng)
    }
  }
}
