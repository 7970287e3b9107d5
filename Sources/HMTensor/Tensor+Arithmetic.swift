/// Broadcasting arithmetic (`+ - * /`, `pow`, `maximum`, `minimum`), unary minus and
/// comparisons. Operands of different dtypes are promoted to float64; a `Double` operand takes
/// the tensor's dtype. Broadcasting follows numpy: shapes align from the right and axes of
/// size 1 stretch.

extension Tensor {
  /// Computes a broadcast binary op's storage; `outShape` must be the broadcast shape.
  static func binaryStorage(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, _ outShape: [Int]) -> Storage {
    switch (a.storage, b.storage) {
    case (.float32(let x), .float32(let y)):
      return .float32(binaryKernel(op, x, a.shape, y, b.shape, outShape))
    case (.float64(let x), .float64(let y)):
      return .float64(binaryKernel(op, x, a.shape, y, b.shape, outShape))
    default:
      preconditionFailure("binary op on unpromoted dtypes")
    }
  }

  /// Promotes both operands to a common dtype and computes their broadcast shape.
  static func prepare(_ name: String, _ a: Tensor, _ b: Tensor) throws -> (Tensor, Tensor, [Int]) {
    guard let shape = Shape.broadcast(a.shape, b.shape) else {
      throw TensorError.shapes(name, a.shape, b.shape, "cannot broadcast")
    }
    if shape != a.shape && shape != b.shape { try Shape.validate(shape, name) }
    if a.dtype == b.dtype { return (a, b, shape) }
    return (a.to(.float64), b.to(.float64), shape)
  }

  /// The differentiable broadcast binary op `op`; `name` appears in errors.
  static func binary(_ op: BinaryOp, _ name: String, _ a0: Tensor, _ b0: Tensor) throws -> Tensor {
    let (a, b, shape) = try prepare(name, a0, b0)
    return binaryPrepared(op, name, a, b, shape)
  }

  static func binaryPrepared(_ op: BinaryOp, _ name: String, _ a: Tensor, _ b: Tensor,
                             _ shape: [Int]) -> Tensor {
    let storage = binaryStorage(op, a, b, shape)
    let aShape = a.shape, bShape = b.shape
    switch op {
    case .add:
      return record(storage, shape, name, [a, b]) { c in
        [c.needs[0] ? try c.grad.sum(toShape: aShape) : nil,
         c.needs[1] ? try c.grad.sum(toShape: bShape) : nil]
      }
    case .sub:
      return record(storage, shape, name, [a, b]) { c in
        [c.needs[0] ? try c.grad.sum(toShape: aShape) : nil,
         c.needs[1] ? try (-c.grad).sum(toShape: bShape) : nil]
      }
    case .mul:
      return record(storage, shape, name, [a, b]) { c in
        [c.needs[0] ? try (c.grad * c.inputs[1]).sum(toShape: aShape) : nil,
         c.needs[1] ? try (c.grad * c.inputs[0]).sum(toShape: bShape) : nil]
      }
    case .div:
      return record(storage, shape, name, [a, b]) { c in
        [c.needs[0] ? try (c.grad / c.inputs[1]).sum(toShape: aShape) : nil,
         c.needs[1] ? try (-(c.grad * c.output) / c.inputs[1]).sum(toShape: bShape) : nil]
      }
    case .pow:
      // d/da a^b = b a^(b-1); d/db a^b = a^b log a (only formed when b needs a gradient).
      return record(storage, shape, name, [a, b]) { c in
        let (x, y) = (c.inputs[0], c.inputs[1])
        return [c.needs[0] ? try (c.grad * y * x.pow(y - 1)).sum(toShape: aShape) : nil,
                c.needs[1] ? try (c.grad * c.output * x.log()).sum(toShape: bShape) : nil]
      }
    case .maximum, .minimum:
      // The gradient goes to the selected operand (to `a` on ties).
      let pick = op == .maximum ? BinaryOp.greaterEqual : .lessEqual
      return record(storage, shape, name, [a, b]) { c in
        let mask = binaryPrepared(pick, name, c.inputs[0].detached(), c.inputs[1].detached(), shape)
        return [c.needs[0] ? try (c.grad * mask).sum(toShape: aShape) : nil,
                c.needs[1] ? try (c.grad * (1 - mask)).sum(toShape: bShape) : nil]
      }
    case .passWherePositive:
      // Linear in `a`; piecewise constant in `b` (derivative 0 almost everywhere).
      return record(storage, shape, name, [a, b]) { c in
        [c.needs[0] ? binaryPrepared(.passWherePositive, name, c.grad, c.inputs[1].detached(), shape) : nil, nil]
      }
    case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
      return Tensor(shape: shape, storage: storage)
    }
  }

  /// `self op scalar` with the scalar in `self`'s dtype (cannot fail: a scalar broadcasts).
  func binary(_ op: BinaryOp, _ name: String, scalar: Double, scalarOnLeft: Bool = false) -> Tensor {
    // x·c, c·x, x + c, c + x and x − c as one unary kernel (no scalar tensor, no broadcast).
    switch op {
    case .mul: return unary(.scale(scalar), name) { c in [c.grad * scalar] }
    case .add: return unary(.shift(scalar), name) { c in [c.grad] }
    case .sub where !scalarOnLeft: return unary(.shift(-scalar), name) { c in [c.grad] }
    default: break
    }
    let s = Tensor(scalar: scalar, dtype: dtype)
    return scalarOnLeft ? Tensor.binaryPrepared(op, name, s, self, shape)
                        : Tensor.binaryPrepared(op, name, self, s, shape)
  }

  // MARK: Operators

  /// Elementwise sum with broadcasting. - Throws: `TensorError.shapeMismatch` ("add: shapes
  /// [3] and [4] cannot broadcast").
  public static func + (lhs: Tensor, rhs: Tensor) throws -> Tensor { try binary(.add, "add", lhs, rhs) }
  /// Elementwise difference with broadcasting. - Throws: `TensorError.shapeMismatch`.
  public static func - (lhs: Tensor, rhs: Tensor) throws -> Tensor { try binary(.sub, "sub", lhs, rhs) }
  /// Elementwise product with broadcasting. - Throws: `TensorError.shapeMismatch`.
  public static func * (lhs: Tensor, rhs: Tensor) throws -> Tensor { try binary(.mul, "mul", lhs, rhs) }
  /// Elementwise quotient with broadcasting (IEEE: x/0 = ±inf, 0/0 = NaN).
  /// - Throws: `TensorError.shapeMismatch`.
  public static func / (lhs: Tensor, rhs: Tensor) throws -> Tensor { try binary(.div, "div", lhs, rhs) }

  /// Elementwise with a constant in the tensor's dtype (never fails; differentiable in the tensor).
  public static func + (lhs: Tensor, rhs: Double) -> Tensor { lhs.binary(.add, "add", scalar: rhs) }
  public static func + (lhs: Double, rhs: Tensor) -> Tensor { rhs.binary(.add, "add", scalar: lhs, scalarOnLeft: true) }
  public static func - (lhs: Tensor, rhs: Double) -> Tensor { lhs.binary(.sub, "sub", scalar: rhs) }
  public static func - (lhs: Double, rhs: Tensor) -> Tensor { rhs.binary(.sub, "sub", scalar: lhs, scalarOnLeft: true) }
  public static func * (lhs: Tensor, rhs: Double) -> Tensor { lhs.binary(.mul, "mul", scalar: rhs) }
  public static func * (lhs: Double, rhs: Tensor) -> Tensor { rhs.binary(.mul, "mul", scalar: lhs, scalarOnLeft: true) }
  public static func / (lhs: Tensor, rhs: Double) -> Tensor { lhs.binary(.div, "div", scalar: rhs) }
  public static func / (lhs: Double, rhs: Tensor) -> Tensor { rhs.binary(.div, "div", scalar: lhs, scalarOnLeft: true) }

  /// Elementwise negation (differentiable).
  public static prefix func - (x: Tensor) -> Tensor { x.unary(.neg, "neg") { c in [-c.grad] } }

  /// Elementwise power `self ** exponent` with broadcasting (C `pow` semantics: a negative base
  /// with a non-integer exponent gives NaN).
  /// - Throws: `TensorError.shapeMismatch`.
  public func pow(_ exponent: Tensor) throws -> Tensor { try Tensor.binary(.pow, "pow", self, exponent) }
  /// Elementwise power with a constant exponent.
  public func pow(_ exponent: Double) -> Tensor { binary(.pow, "pow", scalar: exponent) }

  /// Elementwise maximum with broadcasting; NaN propagates from `self`.
  /// - Throws: `TensorError.shapeMismatch`.
  public func maximum(_ other: Tensor) throws -> Tensor { try Tensor.binary(.maximum, "maximum", self, other) }
  /// Elementwise minimum with broadcasting; NaN propagates from `self`.
  /// - Throws: `TensorError.shapeMismatch`.
  public func minimum(_ other: Tensor) throws -> Tensor { try Tensor.binary(.minimum, "minimum", self, other) }

  // MARK: Comparisons (not differentiable: results are constants 0/1)

  /// 1 where `self == other` else 0 (NaN ≠ NaN). - Throws: `TensorError.shapeMismatch`.
  public func equal(_ other: Tensor) throws -> Tensor { try Tensor.binary(.equal, "eq", self, other) }
  /// 1 where `self != other` else 0. - Throws: `TensorError.shapeMismatch`.
  public func notEqual(_ other: Tensor) throws -> Tensor { try Tensor.binary(.notEqual, "ne", self, other) }
  /// 1 where `self < other` else 0. - Throws: `TensorError.shapeMismatch`.
  public func less(_ other: Tensor) throws -> Tensor { try Tensor.binary(.less, "lt", self, other) }
  /// 1 where `self <= other` else 0. - Throws: `TensorError.shapeMismatch`.
  public func lessEqual(_ other: Tensor) throws -> Tensor { try Tensor.binary(.lessEqual, "le", self, other) }
  /// 1 where `self > other` else 0. - Throws: `TensorError.shapeMismatch`.
  public func greater(_ other: Tensor) throws -> Tensor { try Tensor.binary(.greater, "gt", self, other) }
  /// 1 where `self >= other` else 0. - Throws: `TensorError.shapeMismatch`.
  public func greaterEqual(_ other: Tensor) throws -> Tensor { try Tensor.binary(.greaterEqual, "ge", self, other) }

  /// Comparisons with a constant: 1 where true, else 0 (constants, never differentiable).
  public func equal(_ value: Double) -> Tensor { binary(.equal, "eq", scalar: value) }
  public func less(_ value: Double) -> Tensor { binary(.less, "lt", scalar: value) }
  public func lessEqual(_ value: Double) -> Tensor { binary(.lessEqual, "le", scalar: value) }
  public func greater(_ value: Double) -> Tensor { binary(.greater, "gt", scalar: value) }
  public func greaterEqual(_ value: Double) -> Tensor { binary(.greaterEqual, "ge", scalar: value) }
}
